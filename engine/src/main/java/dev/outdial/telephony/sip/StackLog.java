package dev.outdial.telephony.sip;

import gov.nist.core.StackLogger;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the JAIN-SIP stack's own logging to SLF4J (logger {@code dev.outdial.telephony.sip.stack}),
 * so its messages land in Outdial's log with the rest instead of in log4j's default output.
 * Named in the stack's properties; the stack creates it by reflection.
 */
public final class StackLog implements StackLogger {
    private static final Logger log = LoggerFactory.getLogger("dev.outdial.telephony.sip.stack");

    public StackLog() {
    }

    @Override
    public void logStackTrace() {
    }

    @Override
    public void logStackTrace(int traceLevel) {
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void logException(Throwable ex) {
        log.warn("sip stack: {}", ex.toString(), ex);
    }

    @Override
    public void logDebug(String message) {
        log.debug(message);
    }

    @Override
    public void logDebug(String message, Exception ex) {
        log.debug(message, ex);
    }

    @Override
    public void logTrace(String message) {
        log.trace(message);
    }

    @Override
    public void logFatalError(String message) {
        log.error(message);
    }

    @Override
    public void logError(String message) {
        log.error(message);
    }

    @Override
    public boolean isLoggingEnabled() {
        return log.isDebugEnabled();
    }

    @Override
    public boolean isLoggingEnabled(int logLevel) {
        // The stack's levels: 32 debug, 16 info, 8 warn/error... and 0 off; it checks before building costly messages.
        if (logLevel >= TRACE_DEBUG) return log.isDebugEnabled();
        if (logLevel >= TRACE_INFO) return log.isInfoEnabled();
        return log.isWarnEnabled();
    }

    @Override
    public void logError(String message, Exception ex) {
        log.error(message, ex);
    }

    @Override
    public void logWarning(String message) {
        // At start the stack warns that TLS has no key store: Outdial does not offer TLS, so that is expected.
        if (message != null && (message.contains("TLS") || message.contains("tls") || message.contains("keystore") || message.contains("truststore"))) {
            log.debug(message);
        } else {
            log.warn(message);
        }
    }

    @Override
    public void logInfo(String message) {
        log.debug(message); // the stack's "info" is chatty start-up detail
    }

    @Override
    public void disableLogging() {
    }

    @Override
    public void enableLogging() {
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
    }

    @Override
    public void setStackProperties(Properties stackProperties) {
    }

    @Override
    public String getLoggerName() {
        return log.getName();
    }
}
