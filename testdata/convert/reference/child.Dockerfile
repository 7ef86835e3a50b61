FROM conv-ref:1
USER root
RUN echo child
ENTRYPOINT echo ep
