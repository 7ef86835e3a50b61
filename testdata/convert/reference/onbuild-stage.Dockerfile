FROM 127.0.0.1:5000/library/busybox:latest AS parent
ONBUILD ENV TRIGGERED=yes
ONBUILD LABEL from=trigger
ENV P=1

FROM parent
RUN echo child
