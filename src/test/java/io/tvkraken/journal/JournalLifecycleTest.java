package io.tvkraken.journal;

import static org.assertj.core.api.Assertions.assertThat;

import io.tvkraken.RunningApp;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.camel.Service;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journal's lifecycles, as the context runs them at shutdown: the routes stop first (finishing their in-flight
 * alerts, which write to the journal), then this instance's leases are released, then the database closes.
 */
class JournalLifecycleTest {

    @TempDir
    Path data;

    @Test
    void theLeasesAreReleasedAndTheDatabaseClosedOnlyOnceEveryRouteHasStopped() throws Exception {
        RunningApp app = RunningApp.start(RunningApp.paperDefaults(data));
        var context = app.context();
        Journal.LeaseRelease leaseRelease = context.hasService(Journal.LeaseRelease.class);
        Database database = context.hasService(Database.class);
        assertThat(leaseRelease).as("the lease release, a service of the context").isNotNull();
        assertThat(database).as("the database, a service of the context").isNotNull();
        // a bean that routes call is stopped with the first of them to stop: the journal must not be a service
        assertThat(app.bean("journal", Object.class)).isNotInstanceOf(Service.class);

        assertThat(leaseRelease.isStarted()).isTrue();
        assertThat(database.isStarted()).isTrue();
        List<String> stoppedRoutes = new CopyOnWriteArrayList<>();
        List<String> tooEarly = new CopyOnWriteArrayList<>();
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.RouteStoppedEvent stopped) {
                    String route = stopped.getRoute().getRouteId();
                    stoppedRoutes.add(route);
                    if (leaseRelease.isStopped()) {
                        tooEarly.add("leases released before route " + route + " stopped");
                    }
                    if (database.isStopped()) {
                        tooEarly.add("database closed before route " + route + " stopped");
                    }
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.RouteStoppedEvent;
            }
        });
        app.close();

        assertThat(stoppedRoutes).as("routes seen stopping").contains("renew-leases").hasSizeGreaterThan(20);
        assertThat(tooEarly).isEmpty();
        assertThat(leaseRelease.isStopped()).as("leases released at shutdown").isTrue();
        assertThat(database.isStopped()).as("database closed at shutdown").isTrue();
    }
}
