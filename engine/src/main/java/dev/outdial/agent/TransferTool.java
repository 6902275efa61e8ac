package dev.outdial.agent;

import dev.outdial.agent.llm.Tool;
import dev.outdial.store.Json;
import dev.outdial.telephony.Transfer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The {@code transfer_call} tool of an agent with a transfer number: hands the callee to it through the
 * leg's transfer and words the carrier's answer as the tool's result for the model.
 */
final class TransferTool {
    /** The tool as the model is offered it. */
    static final Tool TOOL = new Tool("transfer_call",
            "Transfer the call to a person on our team. First tell the callee you are transferring them, then call this.",
            Map.of("type", "object", "properties", Map.of("reason", Map.of("type", "string", "description", "why the callee needs a person"))));
    /** How long a transfer may take to be taken or refused (a SIP transfer waits up to a minute for the target). */
    static final Duration WAIT = Duration.ofSeconds(90);

    private final String target;
    private final Function<String, CompletableFuture<Transfer>> transfer;

    /**
     * @param target   E.164 number or SIP URI
     * @param transfer the leg's transfer
     */
    TransferTool(String target, Function<String, CompletableFuture<Transfer>> transfer) {
        this.target = target;
        this.transfer = transfer;
    }

    /** Hands the callee over and waits for the carrier's word; a carrier that says nothing in time refused. */
    Transfer run() throws InterruptedException {
        try {
            return transfer.apply(target).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return Transfer.refused(null, "no_answer_from_carrier");
        }
    }

    /** The tool's result for the model, e.g. {@code {"transferred":false,"reason":"busy","sip_code":486}}. */
    static String result(Transfer t) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("transferred", t.status() == Transfer.Status.TRANSFERRED);
        r.put("reason", t.reason());
        if (t.sipCode() != null) r.put("sip_code", t.sipCode());
        return Json.write(r);
    }
}
