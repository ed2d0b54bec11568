# syntax=docker/dockerfile:1

# ptacycle — cycle annuel de planification (bilan → PTA → validation → exécution → clôture).
# One static binary; the same image runs `server`, `worker` and `migrate` (see docker-compose.yml).

# GO_VERSION matches the `go` line of go.mod: the golang image sets GOTOOLCHAIN=local,
# so an older patch release would refuse to build instead of downloading a toolchain.
ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ptacycle ./cmd/ptacycle

FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="ptacycle" \
      org.opencontainers.image.description="Cycle annuel du plan de travail (PTA) : bilan, recommandations, élaboration, validation, exécution, clôture. / Annual work-plan cycle: review, recommendations, drafting, approval, execution, closing."
COPY --from=build /out/ptacycle /ptacycle
USER nonroot:nonroot
EXPOSE 8080
# No HEALTHCHECK here: only `server` listens on :8080; compose adds `/ptacycle healthcheck` to it.
ENTRYPOINT ["/ptacycle"]
