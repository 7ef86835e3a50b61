FROM scratch
WORKDIR /x/../y/
WORKDIR z/..//w
COPY a.txt nomatch* /d/
CMD ["a"]
ENTRYPOINT ["b"]
ENV P=1
