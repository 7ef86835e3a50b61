FROM 127.0.0.1:5000/library/busybox:latest
ENV A=1 B=$A C="quoted value" D='single $A'
ENV A=2 E=${A}-${B}
ENV F=${UNSET:-default} G=${A:+set} H=${UNSET:+never}
ENV PATH=/first:$PATH
ENV ESC=a\ b\$A
