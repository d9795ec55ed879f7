package io.tvkraken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the journal the way an operator does, through {@code GET /admin/orders} (the app must run with
 * {@code admin.token} = {@link TestSecrets#ADMIN_TOKEN}).
 */
public final class JournalProbe {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FINAL = Set.of("executed", "validated", "rejected", "dead_lettered");

    private JournalProbe() {
    }

    /** Every journal entry, newest first. */
    public static List<JsonNode> entries(RunningApp app) {
        HttpResponse<String> response = app.get("/admin/orders?limit=1000",
                Map.of("Authorization", "Bearer " + TestSecrets.ADMIN_TOKEN));
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /admin/orders answered " + response.statusCode() + " " + response.body());
        }
        try {
            List<JsonNode> entries = new ArrayList<>();
            JSON.readTree(response.body()).path("orders").forEach(entries::add);
            return entries;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The entry that carried out {@code alertId} (not its duplicates), once it reached a final state. */
    public static JsonNode waitForFinal(RunningApp app, String alertId) throws InterruptedException {
        long until = System.currentTimeMillis() + 30_000;
        JsonNode last = null;
        while (System.currentTimeMillis() < until) {
            for (JsonNode entry : entries(app)) {
                if (entry.path("alert_id").asText().equals(alertId) && !entry.path("state").asText().equals("duplicate")) {
                    last = entry;
                    if (FINAL.contains(entry.path("state").asText())) {
                        return entry;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("alert " + alertId + " did not finish within 30 s; last seen: " + last);
    }
}
