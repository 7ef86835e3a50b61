FROM 127.0.0.1:5000/library/busybox:latest
SHELL ["/bin/sh", "-xc"]
RUN echo one
CMD echo two
ENTRYPOINT exec three
SHELL ["/bin/ash", "-c"]
RUN ["echo", "exec", "form"]
