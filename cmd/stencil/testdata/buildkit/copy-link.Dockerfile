FROM scratch
COPY --chmod=777 dir/keep /tmp
COPY dir/sub /opt/sub
COPY --link a.txt /tmp/
COPY --link a.txt /opt/sub/deep/
COPY --link --chown=5:6 a.txt /newdir/x/
COPY --link --chmod=700 dir/sub /opt/sub
COPY --link b.md /opt
