FROM scratch AS s
COPY src /s/src
COPY dir /s/dir
FROM scratch
COPY --parents src/a/b/f.go /p1/
COPY --parents src/*/*.go /p2/
COPY --parents ./src/./c /p3/
COPY --parents src/**/*.go /p4
COPY --parents root.go x/top.go /p5/
COPY --parents --exclude=*.txt src/c /p6/
COPY --parents src/./a/b/ /p7/
COPY --parents ./src/./**/*.go /p8/
COPY --parents --exclude=c/*.txt src/./c dir/./sub/*.go /p9/
COPY --from=s --parents /s/./src/a /s/dir/./sub/*.go /f/
