FROM scratch AS s
COPY dir /d
FROM scratch
COPY --exclude=*.txt *.txt *.md /w1/
COPY --exclude=*.txt dir /w2/
COPY --exclude=**/*.txt dir /w3/
COPY --exclude=sub --exclude=e.md dir /w4/
COPY --exclude=dir/*.txt . /w5/
COPY --exclude=*.txt --exclude=!keep/k.txt dir /w6/
COPY --exclude=keep dir/* /w7/
COPY --exclude=a.txt a.txt /w8
COPY --exclude=**/*.go --exclude=sub/d.txt dir /w9
COPY --from=s --exclude=*.txt --exclude=sub/x.go /d /f1/
COPY --from=s --exclude=keep /d/* /f2/
