package dev.outdial.campaign;

import dev.outdial.schedule.RetryPolicy;
import dev.outdial.store.Database;
import dev.outdial.store.Ids;
import dev.outdial.store.Json;
import dev.outdial.store.Outbox;
import dev.outdial.store.StoreException;
import dev.outdial.store.TableStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Accepts batches: checks every recipient and writes the batch and all its calls in one
 * transaction with COPY, the checking of later rows overlapping the COPY of earlier ones
 * ({@link SubmitPipeline}). A 2xx answer therefore means every accepted call is committed
 * (invariant 1), and a rejected batch leaves nothing behind (invariant 7): a bad row found after
 * others were COPYed rolls the transaction back.
 *
 * <p>Screening, in the same transaction: a number on the do-not-call list is stored as
 * {@code suppressed}; a number given twice in one request is one call (the later row's data wins);
 * with {@code dedup_across_batches}, a number with an unfinished call in another batch is skipped;
 * adding to a batch a number that still has a scheduled call there updates that call (Weya's rule).
 */
public final class Intake {
    /** Most recipients one request may carry. */
    public static final int MAX_RECIPIENTS = 100_000;
    /** How far ahead a call may be scheduled. */
    static final Duration MAX_SCHEDULE_AHEAD = Duration.ofDays(366);

    private final Database db;
    private final Clock clock;
    private final Agents agents;
    private final Lines lines;
    private final Batches batches;
    private final Runnable workSignal;
    private final TableStats stats;

    public Intake(Database db, Clock clock, Agents agents, Lines lines, Batches batches, Runnable workSignal, TableStats stats) {
        this.db = db;
        this.clock = clock;
        this.agents = agents;
        this.lines = lines;
        this.batches = batches;
        this.workSignal = workSignal;
        this.stats = stats;
    }

    /**
     * What intake did.
     *
     * @param rejected   rows left out as invalid (only with allow_partial)
     * @param suppressed indexes of rows stored as {@code suppressed} (do-not-call)
     * @param merged     rows folded into another: {index, into} within the request, or {index, call_id} of the
     *                   scheduled call they updated
     * @param duplicates rows skipped because the number has an unfinished call in another batch: {index, call_id}
     */
    public record Result(Batch batch, List<FieldError> rejected, boolean replayed, List<Integer> suppressed,
                         List<Map<String, Object>> merged, List<Map<String, Object>> duplicates) {
        static Result replay(Batch b) {
            return new Result(b, List.of(), true, List.of(), List.of(), List.of());
        }
    }

    public Result submit(String orgId, BatchRequest req) {
        if (req.idempotencyKey() != null) {
            Optional<Batch> earlier = batches.findByIdempotencyKey(orgId, req.idempotencyKey());
            if (earlier.isPresent()) return Result.replay(earlier.get());
        }
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        Agent agent = checkBatch(orgId, req, now, true, errors);
        if (!errors.isEmpty()) throw new InvalidInputException("The batch is invalid", errors);
        Checks checks = checks(orgId, agent, req, now);
        String batchId = Ids.next("bat");
        CallWriter.Common common = new CallWriter.Common(orgId, batchId, agent.id(), req.lineId(), checks.maxAttempts());
        SubmitPipeline.Stored stored;
        try {
            stored = db.tx(c -> {
                if (req.idempotencyKey() != null) IntakeSql.releaseExpiredKey(c, orgId, req.idempotencyKey(), now);
                IntakeSql.insertBatch(c, orgId, batchId, req, 0, now);
                SubmitPipeline.Stored s = SubmitPipeline.run(c, checks.validation(), req.allowPartial(), common,
                        checks.org().dedupAcrossBatches(), now);
                if (s.anyFinished()) IntakeSql.announceFinished(c, batchId, 0, now);
                IntakeSql.setTotal(c, batchId, s.accepted());
                Outbox.write(c, now, new Outbox.Event(orgId, "batch.created", batchId,
                        summary(batchId, s.accepted(), s.errors().size(), s.found(), s.expired(), s.merged().size())));
                if (s.accepted() == 0) IntakeSql.completeEmpty(c, orgId, batchId, now); // every row was a duplicate of another batch's call
                IntakeSql.notifyNodes(c);
                return s;
            });
        } catch (StoreException e) {
            if ("23505".equals(e.sqlState()) && req.idempotencyKey() != null) {
                // A concurrent request with the same key won the race; answer with its batch.
                return Result.replay(batches.findByIdempotencyKey(orgId, req.idempotencyKey()).orElseThrow());
            }
            throw e;
        }
        workSignal.run();
        stats.callsAdded(stored.accepted());
        return new Result(batches.get(orgId, batchId, stored.counts()), stored.errors(), false, stored.found().suppressed(),
                stored.merged(), stored.found().duplicates());
    }

    /**
     * Creates a batch with no calls yet, for {@link #addToBatch} to fill (Weya's createBatch). It
     * stays {@code pending} until calls are added: an empty batch is never completed.
     */
    public Batch open(String orgId, BatchRequest req) {
        Instant now = clock.instant();
        List<FieldError> errors = new ArrayList<>();
        checkBatch(orgId, req, now, false, errors);
        if (!errors.isEmpty()) throw new InvalidInputException("The batch is invalid", errors);
        String batchId = Ids.next("bat");
        db.tx(c -> {
            IntakeSql.insertBatch(c, orgId, batchId, req, 0, now);
            Map<String, Object> payload = new LinkedHashMap<>();
            payload.put("batch_id", batchId);
            payload.put("accepted", 0);
            Outbox.write(c, now, new Outbox.Event(orgId, "batch.created", batchId, payload));
            return null;
        });
        return batches.get(orgId, batchId);
    }

    /**
     * Adds recipients to an existing batch. A number that still has a {@code scheduled} call in the
     * batch updates that call (variables, metadata, priority, times) instead of adding a second one.
     */
    public Result addToBatch(String orgId, String batchId, List<Recipient> recipients, boolean allowPartial) {
        Instant now = clock.instant();
        Batch batch = batches.get(orgId, batchId);
        if (batch.status().equals("cancelled")) throw new ConflictException("batch " + batchId + " is cancelled");
        Agent agent = agents.get(orgId, batch.agentId());
        if (recipients == null || recipients.isEmpty() || recipients.size() > MAX_RECIPIENTS) {
            throw InvalidInputException.of("/recipients", "must list 1 to " + MAX_RECIPIENTS + " recipients");
        }
        BatchRequest req = new BatchRequest(batch.name(), batch.agentId(), batch.lineId(), batch.scheduledAt(), batch.deadline(),
                batch.priority(), batch.variables(), batch.metadata(), null, allowPartial, recipients, null,
                batch.callingWindow(), batch.retryPolicy() == null ? null : RetryPolicy.fromJson(batch.retryPolicy()));
        Validated v = validate(orgId, agent, req, now);
        Added added = db.tx(c -> {
            String status = Batches.lock(c, orgId, batchId);
            if (status.equals("cancelled")) throw new ConflictException("batch " + batchId + " is cancelled");
            int base = IntakeSql.nextRowIndex(c, batchId);
            Map<String, String> scheduled = Screening.scheduledByDestination(c, batchId, v.rows());
            List<CallWriter.Row> fresh = new ArrayList<>();
            List<Map<String, Object>> updated = new ArrayList<>();
            for (RecipientValidator.Valid r : v.rows()) {
                String existing = scheduled.get(r.destination());
                if (existing != null) {
                    Screening.updateScheduled(c, existing, r, now);
                    updated.add(Map.of("index", r.index(), "call_id", existing));
                } else {
                    fresh.add(CallWriter.Row.of(r.withIndex(base + r.index())));
                }
            }
            CallWriter.copy(c, new CallWriter.Common(orgId, batchId, agent.id(), batch.lineId(), v.maxAttempts()), fresh, now);
            Screening.Found found = Screening.afterCopy(c, orgId, batchId, base, v.org().dedupAcrossBatches(), now);
            Set<Integer> screenedOut = new HashSet<>(found.suppressed());
            found.duplicates().forEach(d -> screenedOut.add((Integer) d.get("index")));
            int expired = (int) fresh.stream().filter(r -> r.outcome() != null && !screenedOut.contains(r.call().index())).count();
            int accepted = fresh.size() - found.duplicates().size();
            if (expired > 0 || !found.suppressed().isEmpty()) IntakeSql.announceFinished(c, batchId, base, now);
            IntakeSql.setTotal(c, batchId, -1);
            if (status.equals("completed") && accepted > 0) IntakeSql.reopen(c, batchId, now);
            Map<String, Object> payload = summary(batchId, accepted, v.rowErrors().size(), found, expired, v.merged().size());
            payload.put("updated", updated.size());
            Outbox.write(c, now, new Outbox.Event(orgId, "batch.calls_added", batchId, payload));
            IntakeSql.notifyNodes(c);
            List<Integer> suppressed = found.suppressed().stream().map(i -> i - base).toList();
            List<Map<String, Object>> duplicates = found.duplicates().stream().map(d -> {
                Map<String, Object> m = new LinkedHashMap<>(d);
                m.put("index", (Integer) d.get("index") - base);
                return m;
            }).toList();
            List<Map<String, Object>> merged = new ArrayList<>(v.merged());
            merged.addAll(updated);
            return new Added(accepted, suppressed, duplicates, merged);
        });
        workSignal.run();
        stats.callsAdded(added.accepted());
        return new Result(batches.get(orgId, batchId), v.rowErrors(), false, added.suppressed(), added.merged(), added.duplicates());
    }

    private record Added(int accepted, List<Integer> suppressed, List<Map<String, Object>> duplicates, List<Map<String, Object>> merged) {
    }

    /** Valid rows (duplicates within the request folded), the row errors, and what they were checked against. */
    private record Validated(List<RecipientValidator.Valid> rows, List<FieldError> rowErrors, List<Map<String, Object>> merged,
                             Organizations.Settings org, int maxAttempts) {
    }

    /** A request's recipients, being checked in chunks, and what they are checked against. */
    private record Checks(ChunkedValidation validation, Organizations.Settings org, int maxAttempts) {
    }

    private Checks checks(String orgId, Agent agent, BatchRequest req, Instant now) {
        Organizations.Settings org = db.read(c -> Organizations.settings(c, orgId));
        String windowJson = req.callingWindow() != null ? Json.write(req.callingWindow())
                : agent.callingWindow() != null ? Json.write(agent.callingWindow()) : null;
        RecipientValidator validator = new RecipientValidator(agent, req, now, org.timezone(), windowJson, org.quietHoursGuard(),
                org.regionalRules());
        RetryPolicy policy = req.retryPolicy() != null ? req.retryPolicy() : agent.retryPolicy();
        return new Checks(new ChunkedValidation(validator, req.recipients()), org, policy.maxAttempts());
    }

    /** Every recipient checked before anything is written (addToBatch needs the whole list to find the calls it updates). */
    private Validated validate(String orgId, Agent agent, BatchRequest req, Instant now) {
        Checks checks = checks(orgId, agent, req, now);
        List<RecipientValidator.Valid> valid = new ArrayList<>(req.recipients().size());
        List<FieldError> rowErrors = new ArrayList<>();
        for (int k = 0; k < checks.validation().chunks(); k++) {
            ChunkedValidation.Chunk chunk = checks.validation().get(k);
            valid.addAll(chunk.valid());
            rowErrors.addAll(chunk.errors());
        }
        if (!rowErrors.isEmpty() && (!req.allowPartial() || valid.isEmpty())) {
            throw new InvalidInputException(rowErrors.size() + " recipient error(s); nothing was stored", rowErrors);
        }
        // One number, one call: a later row with the same number replaces the earlier row's data, in its place.
        Map<String, Integer> firstAt = new HashMap<>();
        List<RecipientValidator.Valid> rows = new ArrayList<>(valid.size());
        List<Map<String, Object>> merged = new ArrayList<>();
        for (RecipientValidator.Valid v : valid) {
            Integer at = firstAt.putIfAbsent(v.destination(), rows.size());
            if (at == null) {
                rows.add(v);
            } else {
                RecipientValidator.Valid first = rows.get(at);
                rows.set(at, v.withIndex(first.index()));
                merged.add(Map.of("index", v.index(), "into", first.index()));
            }
        }
        return new Validated(rows, rowErrors, merged, checks.org(), checks.maxAttempts());
    }

    private static Map<String, Object> summary(String batchId, int accepted, int rejected, Screening.Found found, int expired,
                                               int merged) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch_id", batchId);
        m.put("accepted", accepted);
        m.put("rejected", rejected);
        m.put("suppressed", found.suppressed().size());
        m.put("expired", expired);
        m.put("merged", merged);
        m.put("duplicates", found.duplicates().size());
        return m;
    }

    private Agent checkBatch(String orgId, BatchRequest req, Instant now, boolean recipientsRequired, List<FieldError> errors) {
        if (req.name() == null || req.name().isBlank()) {
            errors.add(FieldError.of("/name", "is required"));
        } else if (req.name().length() > 200) {
            errors.add(FieldError.of("/name", "must be at most 200 characters"));
        }
        Agent agent = null;
        if (req.agentId() == null) {
            errors.add(FieldError.of("/agent_id", "is required"));
        } else {
            agent = agents.find(orgId, req.agentId()).orElse(null);
            if (agent == null) errors.add(FieldError.of("/agent_id", "no agent " + req.agentId() + " in this organization"));
        }
        if (req.lineId() == null) {
            errors.add(FieldError.of("/line_id", "is required"));
        } else if (lines.find(orgId, req.lineId()).isEmpty()) {
            errors.add(FieldError.of("/line_id", "no line " + req.lineId() + " in this organization"));
        }
        if (req.recipients() == null || req.recipients().isEmpty()) {
            if (recipientsRequired) errors.add(FieldError.of("/recipients", "must list at least one recipient"));
        } else if (req.recipients().size() > MAX_RECIPIENTS) {
            errors.add(FieldError.of("/recipients", "at most " + MAX_RECIPIENTS + " recipients per request, got "
                    + req.recipients().size()));
        }
        TimeChecks.schedule("", req.scheduledAt(), req.deadline(), now, errors);
        TimeChecks.priority("/priority", req.priority(), errors);
        if (req.defaultCountry() != null && !PhoneNumbers.isKnownRegion(req.defaultCountry())) {
            errors.add(FieldError.of("/default_country", "not an ISO 3166 country code libphonenumber knows: " + req.defaultCountry()));
        }
        return agent;
    }
}
