package dev.outdial.campaign;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.outdial.schedule.RetryPolicy;
import dev.outdial.store.Database;
import dev.outdial.store.Ids;
import dev.outdial.store.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Agents of an organization: create, read, list, update, delete. Every query is scoped by organization. */
public final class Agents {
    private static final String COLUMNS = "id, name, prompt, first_message, language, voice, variables::text, "
            + "default_variables::text, timezone, max_duration_s, retry_policy::text, calling_window::text, amd::text, record_calls, providers::text, conversation::text, created_at, updated_at, "
            + "extraction::text, tags::text, summarize";

    private final Database db;
    private final Clock clock;

    public Agents(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public Agent create(String orgId, Agent.Spec spec) {
        String id = Ids.next("agt");
        Instant now = clock.instant();
        db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into agent (id, org_id, name, prompt, first_message, language, voice, variables, default_variables,
                                       timezone, max_duration_s, retry_policy, calling_window, amd, record_calls, providers, conversation,
                                       extraction, tags, summarize, created_at, updated_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?, ?::jsonb, ?::jsonb,
                            ?::jsonb, ?::jsonb, ?, ?, ?)""")) {
                ps.setString(1, id);
                ps.setString(2, orgId);
                bindSpec(ps, 3, spec);
                ps.setTimestamp(21, Timestamp.from(now));
                ps.setTimestamp(22, Timestamp.from(now));
                ps.executeUpdate();
            }
            return null;
        });
        return get(orgId, id);
    }

    public Agent get(String orgId, String id) {
        return find(orgId, id).orElseThrow(() -> new NotFoundException("agent", id));
    }

    public Optional<Agent> find(String orgId, String id) {
        return db.read(c -> find(c, orgId, id));
    }

    /** Reads an agent inside the caller's transaction. */
    public Optional<Agent> find(Connection c, String orgId, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select " + COLUMNS + " from agent where org_id = ? and id = ? and deleted_at is null")) {
            ps.setString(1, orgId);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public Page<Agent> list(String orgId, String cursor, int limit) {
        return db.read(c -> {
            try (PreparedStatement ps = c.prepareStatement("select " + COLUMNS + """
                     from agent where org_id = ? and deleted_at is null
                      and (?::text is null or (created_at, id) > (select created_at, id from agent where id = ? and org_id = ?))
                    order by created_at, id limit ?""")) {
                ps.setString(1, orgId);
                ps.setString(2, cursor);
                ps.setString(3, cursor);
                ps.setString(4, orgId);
                ps.setInt(5, limit + 1);
                List<Agent> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) out.add(read(rs));
                }
                return Page.of(out, limit, Agent::id);
            }
        });
    }

    /** Replaces the agent's settings; engine keys not sent again are kept (the API never shows them). */
    public Agent update(String orgId, String id, Agent.Spec given) {
        int n = db.tx(c -> {
            Agent.Spec spec = given.providers() == null ? given : withProviders(given, given.providers().keepingKeysOf(providers(c, orgId, id)));
            try (PreparedStatement ps = c.prepareStatement("""
                    update agent set name = ?, prompt = ?, first_message = ?, language = ?, voice = ?, variables = ?::jsonb,
                           default_variables = ?::jsonb, timezone = ?, max_duration_s = ?, retry_policy = ?::jsonb,
                           calling_window = ?::jsonb, amd = ?::jsonb, record_calls = ?, providers = ?::jsonb,
                           conversation = ?::jsonb, extraction = ?::jsonb, tags = ?::jsonb, summarize = ?, updated_at = ?
                    where org_id = ? and id = ? and deleted_at is null""")) {
                bindSpec(ps, 1, spec);
                ps.setTimestamp(19, Timestamp.from(clock.instant()));
                ps.setString(20, orgId);
                ps.setString(21, id);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("agent", id);
        return get(orgId, id);
    }

    /** Soft delete: calls already accepted keep the agent they were accepted with. */
    public void delete(String orgId, String id) {
        int n = db.tx(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "update agent set deleted_at = ? where org_id = ? and id = ? and deleted_at is null")) {
                ps.setTimestamp(1, Timestamp.from(clock.instant()));
                ps.setString(2, orgId);
                ps.setString(3, id);
                return ps.executeUpdate();
            }
        });
        if (n == 0) throw new NotFoundException("agent", id);
    }

    private static void bindSpec(PreparedStatement ps, int i, Agent.Spec s) throws SQLException {
        ps.setString(i, s.name());
        ps.setString(i + 1, s.prompt());
        ps.setString(i + 2, s.firstMessage());
        ps.setString(i + 3, s.language());
        ps.setString(i + 4, s.voice());
        ps.setString(i + 5, Json.write(s.variables()));
        ps.setString(i + 6, Json.write(s.defaultVariables()));
        ps.setString(i + 7, s.timezone());
        ps.setInt(i + 8, s.maxDurationSeconds());
        ps.setString(i + 9, Json.write(s.retryPolicy()));
        ps.setString(i + 10, s.callingWindow() == null ? null : Json.write(s.callingWindow()));
        ps.setString(i + 11, s.amd() == null ? null : Json.write(s.amd()));
        ps.setBoolean(i + 12, s.recordCalls());
        ps.setString(i + 13, s.providers() == null ? null : Json.write(s.providers()));
        ps.setString(i + 14, s.conversation() == null ? null : Json.write(s.conversation()));
        ps.setString(i + 15, Json.write(s.extraction() == null ? List.of() : s.extraction()));
        ps.setString(i + 16, Json.write(s.tags() == null ? List.of() : s.tags()));
        ps.setObject(i + 17, s.summarize(), java.sql.Types.BOOLEAN);
    }

    /** The agent's engines with their keys, for the runtime that calls them; null when it has none. */
    public Providers providers(Connection c, String orgId, String id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select providers::text from agent where org_id = ? and id = ?")) {
            ps.setString(1, orgId);
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? Json.read(rs.getString(1), Providers.class) : null;
            }
        }
    }

    private static Agent.Spec withProviders(Agent.Spec s, Providers p) {
        return new Agent.Spec(s.name(), s.prompt(), s.firstMessage(), s.language(), s.voice(), s.variables(), s.defaultVariables(),
                s.timezone(), s.maxDurationSeconds(), s.retryPolicy(), s.callingWindow(), s.amd(), s.recordCalls(), p, s.conversation(),
                s.extraction(), s.tags(), s.summarize());
    }

    private static Agent read(ResultSet rs) throws SQLException {
        try {
            return new Agent(
                    rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
                    Json.MAPPER.readValue(rs.getString(7), new TypeReference<List<VariableSpec>>() { }),
                    Json.map(rs.getString(8)),
                    rs.getString(9), rs.getInt(10),
                    RetryPolicy.fromJson(Json.map(rs.getString(11))),
                    rs.getString(12) == null ? null : Json.map(rs.getString(12)),
                    rs.getString(13) == null ? null : Json.read(rs.getString(13), AmdSettings.class), rs.getBoolean(14),
                    rs.getString(15) == null ? null : Json.read(rs.getString(15), Providers.class).withoutKeys(),
                    rs.getString(16) == null ? null : Json.read(rs.getString(16), ConversationSettings.class),
                    Json.MAPPER.readValue(rs.getString(19), new TypeReference<List<ExtractionField>>() { }),
                    Json.MAPPER.readValue(rs.getString(20), new TypeReference<List<ClassificationTag>>() { }),
                    (Boolean) rs.getObject(21),
                    rs.getTimestamp(17).toInstant(), rs.getTimestamp(18).toInstant());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("agent " + rs.getString(1) + ": stored variables are malformed", e);
        }
    }
}
