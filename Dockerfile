# Multi-stage build: Maven builds the jar and its lib/ folder; the runtime image is a JRE running as a non-root user,
# started from an AppCDS archive written by a training run in the image itself (docs/operations.md#docker).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# curl for the health check and the training run
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin webhook
WORKDIR /app
COPY --from=build /src/target/tradingview-kraken-webhook.jar ./tradingview-kraken-webhook.jar
COPY --from=build /src/target/lib ./lib
COPY application.properties ./application.properties
COPY routes ./routes
# The JVM options, one a line, each with why: a java argument file (java @/app/jvm.options)
COPY jvm.options ./jvm.options
COPY .ci/appcds /usr/local/bin/appcds
# AppCDS: one training run of the service, here in the runtime image (an archive is valid only for the Java runtime
# and the class path that wrote it): paper mode on a throw-away DATA_DIR, ready, one alert, SIGTERM; the JVM writes the
# classes it loaded to /app/app.jsa as it exits. Started from that archive, the service parses, verifies and links
# none of them again: ready about twice as fast (docs/operations.md#start-up-time-and-memory). The same script, with
# the same options, writes the archive that the figures were measured with.
RUN appcds /app/app.jsa /app/tradingview-kraken-webhook.jar @/app/jvm.options
RUN mkdir -p /app/data && chown -R webhook /app/data
USER webhook
ENV PORT=8080 DATA_DIR=/app/data
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/webhook/health" || exit 1
# -XX:SharedArchiveFile: the classes from the training run's archive. Should the archive not match (a jar or lib/
# mounted over the image's), the JVM says so and starts without it, only slower.
# @/app/jvm.options: the heap, the collector, the compiler (the file says why for each).
ENTRYPOINT ["java", "-XX:SharedArchiveFile=/app/app.jsa", "@/app/jvm.options", "-jar", "/app/tradingview-kraken-webhook.jar"]
