#!/bin/sh
exec /vaultwarden "${@}"
