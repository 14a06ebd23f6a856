FROM scratch
COPY dir/keep/ /d/
COPY a.txt b.md /d
COPY dir/sub/* /d
COPY a.txt b.md /f
