package dev.outdial.schedule;

import dev.outdial.store.Database;
import java.sql.Connection;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection in LISTEN on {@code outdial_work} and turns every notification from another
 * node's intake into a {@link WorkSignal}. If the connection breaks it reconnects; meanwhile the
 * dispatcher's poll interval still finds the work.
 */
final class WorkListener implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkListener.class);
    private static final int WAIT_MS = 500;

    private final Database db;
    private final WorkSignal signal;
    private final Thread thread;
    private volatile boolean running = true;

    WorkListener(Database db, WorkSignal signal) {
        this.db = db;
        this.signal = signal;
        this.thread = Thread.ofPlatform().daemon().name("work-listener").unstarted(this::loop);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        while (running) {
            try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
                st.execute("listen outdial_work");
                PGConnection pg = c.unwrap(PGConnection.class);
                while (running) {
                    PGNotification[] ns = pg.getNotifications(WAIT_MS);
                    if (ns != null && ns.length > 0) signal.run();
                }
            } catch (Exception e) {
                if (!running) return;
                log.warn("work listener: connection lost ({}); reconnecting in 1 s", e.toString());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
