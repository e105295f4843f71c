# syntax=docker/dockerfile:1
# Build: a static, CGO-free binary (modernc.org/sqlite is pure Go).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# VERSION names the build (a tag); empty, vista version reads the module's.
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/vista ./backend/cmd/vista \
 && mkdir -p /out/data

# Run: distroless, non-root, with the binary checking its own health.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/vista /usr/local/bin/vista
# The data folder belongs to the image's non-root user, so a new volume
# mounted there is writable by vista (Docker copies the ownership in).
COPY --from=build --chown=nonroot:nonroot /out/data /data
ENV VISTA_HTTP_ADDR=:8080 \
    VISTA_DATA_DIR=/data
VOLUME ["/data"]
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=4s --start-period=20s --retries=3 CMD ["/usr/local/bin/vista", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/vista"]
CMD ["serve"]
