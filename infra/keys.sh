#!/usr/bin/env bash
# Makes the NCP's own development keys for ./ncp up (never for production): a local test CA, our S/MIME identity
# (ncp@ncp.example, PFX with a generated password) and our OpenPGP key (Ed25519 primary key that signs, Curve25519
# encryption subkey: GnuPG's modern default, and 30 times faster in BouncyCastle than RSA 3072).
# Idempotent: existing keys are kept. Writes $NCP_DATA_DIR/keys/keys.env with the Mail__* settings that point at them.
# Production keys come from the unit's PKI and live outside the repository; see docs/operations.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${NCP_DATA_DIR:-$ROOT/.data}
KEYS=$DATA_DIR/keys
ADDRESS=${NCP_MAIL_ADDRESS:-ncp@ncp.example}
say() { printf 'keys: %s\n' "$*"; }
die() { printf 'keys: error: %s\n' "$*" >&2; exit 1; }

command -v openssl >/dev/null || die "openssl is missing (apt-get install -y openssl)"
command -v gpg >/dev/null || die "gpg is missing (apt-get install -y gnupg)"
mkdir -p "$KEYS" "$KEYS/crl"
chmod 700 "$KEYS"
cd "$KEYS"

secret() { [[ -s $1 ]] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$1"; chmod 600 "$1"; }; }

if [[ ! -s ca.pem ]]; then
  say "making a development CA and our S/MIME identity for $ADDRESS"
  openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 3650 -keyout ca.key -out ca.pem -subj "/CN=NCP development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -sha256 -nodes -keyout ncp.key -out ncp.csr -subj "/CN=NCP Kazakhstan/emailAddress=$ADDRESS" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=emailProtection\nsubjectAltName=email:%s\n' "$ADDRESS" >ncp.ext
  openssl x509 -req -in ncp.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 -extfile ncp.ext -out ncp.pem 2>/dev/null
  secret smime.password
  openssl pkcs12 -export -inkey ncp.key -in ncp.pem -certfile ca.pem -passout "file:smime.password" -out ncp.pfx
  rm -f ncp.csr ncp.ext ncp.key
fi

if [[ ! -s ncp.secret.asc ]]; then
  say "making our OpenPGP key for $ADDRESS"
  secret openpgp.passphrase
  home=$(mktemp -d)
  trap 'GNUPGHOME=$home gpgconf --kill gpg-agent 2>/dev/null || true; rm -rf "$home"' EXIT
  pass=$(cat openpgp.passphrase)
  GNUPGHOME=$home gpg --batch --pinentry-mode loopback --passphrase "$pass" --quick-gen-key "NCP Kazakhstan <$ADDRESS>" ed25519 sign,cert 3y 2>/dev/null
  fpr=$(GNUPGHOME=$home gpg --batch --with-colons --list-keys "$ADDRESS" | awk -F: '/^fpr/ {print $10; exit}')
  GNUPGHOME=$home gpg --batch --pinentry-mode loopback --passphrase "$pass" --quick-add-key "$fpr" cv25519 encr 3y 2>/dev/null
  GNUPGHOME=$home gpg --batch --armor --export "$fpr" >ncp.public.asc 2>/dev/null
  GNUPGHOME=$home gpg --batch --pinentry-mode loopback --passphrase "$pass" --armor --export-secret-keys "$fpr" >ncp.secret.asc 2>/dev/null
  chmod 600 ncp.secret.asc
fi

cat >keys.env <<ENV
# Written by infra/keys.sh: the NCP's development keys. Use: source $KEYS/keys.env
export Mail__Address='$ADDRESS'
export Mail__RevocationLists='$KEYS/crl'
export Mail__SmimeKeys__0__Pfx='$KEYS/ncp.pfx'
export Mail__SmimeKeys__0__PasswordFile='$KEYS/smime.password'
export Mail__OpenPgpKeys__0__SecretKey='$KEYS/ncp.secret.asc'
export Mail__OpenPgpKeys__0__PassphraseFile='$KEYS/openpgp.passphrase'
ENV
say "ready: $KEYS (our certificate ncp.pem, our public key ncp.public.asc: give these to partners)"
