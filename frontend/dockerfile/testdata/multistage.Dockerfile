# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG BASE=alpine

FROM golang:${GO_VERSION} AS build
WORKDIR /src
COPY --chown=1000:1000 go.mod main.go ./
RUN --network=none go build -o /out/app .

FROM ${BASE} AS runtime
ARG GO_VERSION
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT ["/usr/local/bin/app"]

FROM runtime
LABEL stage=last
