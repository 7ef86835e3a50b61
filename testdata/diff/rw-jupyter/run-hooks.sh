#!/bin/bash
echo hooks
