# Multi-stage build: Maven builds the jar and its lib/ folder; the runtime image is a JRE running as a non-root user.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
# curl for the health check only
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin webhook
WORKDIR /app
COPY --from=build /src/target/tradingview-kraken-webhook.jar ./tradingview-kraken-webhook.jar
COPY --from=build /src/target/lib ./lib
COPY application.properties ./application.properties
COPY routes ./routes
RUN mkdir -p /app/data && chown -R webhook /app/data
USER webhook
ENV PORT=8080 DATA_DIR=/app/data
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${PORT}/webhook/health" || exit 1
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/app/tradingview-kraken-webhook.jar"]
