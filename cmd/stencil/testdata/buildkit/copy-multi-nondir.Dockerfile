FROM scratch
COPY a.txt b.md /f
COPY dir/keep a.txt /g
COPY dir/sub/* /w
COPY x a.txt root.go /x
