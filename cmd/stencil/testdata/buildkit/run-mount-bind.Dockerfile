FROM scratch AS bb
ADD busybox.tar.gz /
FROM bb AS stage
RUN mkdir -p /data/sub && echo s > /data/sub/s.txt && ln -s sub /data/link && chmod 700 /data/sub
FROM bb AS work
RUN --mount=type=bind,target=/ctx mkdir /out && cp -a /ctx/dir /out/ctxdir && (touch /ctx/new 2>/dev/null && echo rw > /out/ro-write || echo ro > /out/ro-write)
RUN --mount=type=bind,source=dir,target=/d,rw touch /d/new && ls /d > /out/rw-ls
RUN --mount=type=bind,source=dir,target=/d ls /d > /out/after-rw
RUN --mount=type=bind,source=a.txt,target=/etc/a.txt cat /etc/a.txt > /out/file
RUN --mount=type=bind,from=stage,source=/data,target=/s cp -a /s /out/stage && (touch /s/x 2>/dev/null; ls /s > /out/stage-ls)
RUN --mount=type=bind,from=stage,source=/data/link,target=/s2,rw ls /s2 > /out/link && touch /s2/new
RUN --mount=type=bind,from=stage,source=/data/link,target=/s2 ls /s2 > /out/link-after
RUN --mount=type=bind,from=bb,source=/bin/busybox,target=/mnt/busybox /mnt/busybox true && echo ok > /out/from-image-file
RUN <<EOT
#!/bin/sh -e
echo "interp $0 $(id -u)" > /out/interp
EOT
FROM scratch
COPY --from=work /out /
