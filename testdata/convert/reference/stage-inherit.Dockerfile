FROM 127.0.0.1:5000/library/busybox:latest AS base
ENV APP=/srv/app PATH=/opt/bin:$PATH
WORKDIR $APP
USER 1000
LABEL tier=base
CMD ["serve"]
EXPOSE 8080

FROM base
ENTRYPOINT ["/entry"]
LABEL tier=child
