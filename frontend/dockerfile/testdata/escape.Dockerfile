# escape=`
FROM scratch
ENV A=b `
    C=d
