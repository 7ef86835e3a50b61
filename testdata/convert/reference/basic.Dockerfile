ARG BASE=127.0.0.1:5000/library/busybox:latest
FROM ${BASE} AS base
LABEL org.x="1" b=two
MAINTAINER Jane <j@x>
ENV A=1 B="two words"
ENV C $A-x
ARG FOO=bar
ARG BAR
RUN echo $FOO > /foo
WORKDIR /app
WORKDIR sub
COPY a.txt ./
COPY --chown=1:2 a.txt /b.txt
ADD a.txt /c.txt
EXPOSE 80 443/udp 8000-8001
VOLUME /data ["/v2"]
USER nobody
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5m --timeout=3s --start-period=1s --retries=3 CMD curl -f http://x/ || exit 1
SHELL ["/bin/sh", "-ec"]
ONBUILD RUN echo onbuild
ONBUILD COPY a.txt /ob.txt
CMD echo hi "q"
ENTRYPOINT ["/bin/echo"]
