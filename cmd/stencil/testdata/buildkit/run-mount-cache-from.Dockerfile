FROM scratch AS bb
ADD busybox.tar.gz /
FROM bb AS seed
RUN mkdir -p /pkg/sub && echo seeded > /pkg/sub/s.txt
FROM bb AS work
RUN --mount=type=cache,id=c1,target=/cache,from=seed,source=/pkg mkdir -m 777 /out && ls -R /cache > /out/first && echo more > /cache/m.txt
RUN --mount=type=cache,id=c1,target=/cache,from=seed,source=/pkg ls -R /cache > /out/second
RUN --mount=type=cache,id=c2,target=/c2,from=seed ls /c2/pkg > /out/whole
FROM scratch
COPY --from=work /out /
