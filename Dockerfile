# One image for every component: docker run IMAGE gateway | filter | archiver | kafka | dev | token
#   docker build -t danmaku/danmaku:0.1.0 .
# Without a Docker daemon: ./mvnw -pl launcher -am package jib:build -Dimage=REGISTRY/danmaku:0.1.0 -DskipTests

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
COPY proto proto
COPY common common
COPY embedded-kafka embedded-kafka
COPY testkit testkit
COPY web web
COPY gateway gateway
COPY filter-service filter-service
COPY archiver archiver
COPY launcher launcher
COPY bench bench
RUN apt-get update && apt-get install -y --no-install-recommends maven && rm -rf /var/lib/apt/lists/* \
 && ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN groupadd --system --gid 10001 danmaku && useradd --system --uid 10001 --gid danmaku --home /opt/danmaku danmaku
WORKDIR /opt/danmaku
COPY --from=build /src/launcher/target/lib/ lib/
COPY --from=build /src/launcher/target/danmaku.jar danmaku.jar
USER 10001:10001
# Heap from the container's memory limit; writes only to /tmp (mount an emptyDir there with a read-only root)
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=70 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp" \
    DANMAKU_BIND_HOST=0.0.0.0 \
    DANMAKU_DATA_DIR=/tmp/danmaku
EXPOSE 8080 8090 8091
ENTRYPOINT ["java", "-jar", "/opt/danmaku/danmaku.jar"]
CMD ["gateway"]
