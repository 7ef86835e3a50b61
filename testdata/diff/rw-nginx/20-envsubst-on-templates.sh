#!/bin/sh
echo envsubst
