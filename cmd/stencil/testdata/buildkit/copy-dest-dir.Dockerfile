FROM scratch
COPY dir/sub /z/
COPY --chmod=700 dir/sub /y
COPY --chown=5:6 dir/sub /q/r/
COPY src/* /m/
COPY . /ctx/
COPY --chmod=640 a.txt /cm/deep/
