# nsbox in a FROM scratch image: one static binary, its applet links in
# /bin (ip, bridge, nc, ping, ss, netstat, tc, tcpdump), nothing else.
#
#   docker build -t nsbox .
#   docker run --rm --privileged nsbox                      # nsbox lab run -isolated
#   docker run --rm --privileged nsbox lab run -isolated /lab/my.lab   (with -v $PWD:/lab)
#   docker run --rm --privileged --entrypoint /bin/ip nsbox -br link
#
# --privileged (or at least --cap-add SYS_ADMIN --cap-add NET_ADMIN and no
# seccomp/apparmor refusal of unshare and mount) is needed: lab run
# -isolated makes its own network and mount namespaces.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -gcflags='nsbox/...=-l' -ldflags="-s -w" -o /out/nsbox . \
 && mkdir -p /out/bin /out/run /out/tmp

FROM scratch
COPY --from=build /out/ /
# Exec form: no shell needed, the static binary links itself in /bin.
RUN ["/nsbox", "--install", "/bin"]
ENTRYPOINT ["/nsbox"]
CMD ["lab", "run", "-isolated"]
