FROM 127.0.0.1:5000/library/busybox:latest
ARG X=arg
ARG Y
ENV X=env
RUN echo $X $Y
ARG Z=z
RUN echo $Z
