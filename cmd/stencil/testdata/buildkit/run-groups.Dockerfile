FROM scratch AS bb
ADD busybox.tar.gz /
FROM bb AS work
RUN mkdir -m 777 /out && echo 'app:x:1000:100::/:/bin/sh' >> /etc/passwd && printf 'users:x:100:\ngrp2:x:2000:app,other\n' >> /etc/group
RUN id > /out/root
USER 1000
RUN id > /out/uid
USER app
RUN id > /out/name
USER 1000:3000
RUN id > /out/uid-gid
USER 5000
RUN id > /out/unknown
USER app:grp2
RUN id > /out/name-group
USER 0:2000
RUN id > /out/root-group
FROM scratch
COPY --from=work /out /
