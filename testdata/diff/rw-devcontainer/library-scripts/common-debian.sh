#!/usr/bin/env bash
# Syntax: ./common-debian.sh [install zsh flag] [username] [user UID] [user GID] [upgrade packages flag] [install Oh My Zsh! flag] [Add non-free packages]
set -e
INSTALL_ZSH=${1:-"true"}
USERNAME=${2:-"automatic"}
USER_UID=${3:-"automatic"}
USER_GID=${4:-"automatic"}
MARKER_FILE="/usr/local/etc/vscode-dev-containers/common"
mkdir -p "$(dirname "${MARKER_FILE}")"
user_rc_path="/home/${USERNAME}"
if [ "${INSTALL_ZSH}" = "true" ]; then
  printf '# zshrc for %s\n' "${USERNAME}" > "${user_rc_path}/.zshrc"
  chown ${USERNAME}:${USERNAME} "${user_rc_path}/.zshrc"
fi
mkdir -p /usr/local/share
cat > /usr/local/share/docker-init.sh <<'EOT'
#!/bin/sh
exec "$@"
EOT
chmod +x /usr/local/share/docker-init.sh
echo -e "PACKAGES_ALREADY_INSTALLED=true\nLOCALE_ALREADY_SET=true\nEXISTING_NON_ROOT_USER=${USERNAME}\nRC_SNIPPET_ALREADY_ADDED=true\nZSH_ALREADY_INSTALLED=${INSTALL_ZSH}" > "${MARKER_FILE}"
echo "Done! uid=${USER_UID} gid=${USER_GID}"
