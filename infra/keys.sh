#!/usr/bin/env bash
# Makes the NCP's own development keys for ./ncp up (never for production): a local test CA, our S/MIME identity
# (ncp@ncp.example, PFX with a generated password) and our OpenPGP key (Ed25519 primary key that signs, Curve25519
# encryption subkey: GnuPG's modern default, and 30 times faster in BouncyCastle than RSA 3072).
# Idempotent: existing keys are kept. Writes $NCP_DATA_DIR/keys/keys.env with the Mail__* settings that point at them.
# Production keys come from the unit's PKI and live outside the repository; see docs/operations.md.
#
#   infra/keys.sh             the CA, our S/MIME identity and our OpenPGP key
#   infra/keys.sh tls DIR     the CA, and DIR/server.pem + DIR/server.key: a TLS server certificate for 127.0.0.1 and
#                             localhost from that CA (infra/servers.sh gives it to Postfix and Dovecot; the Worker trusts
#                             the CA through Smtp:TrustedCaFile and Imap:TrustedCaFile, so tests run the production TLS path)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA_DIR=${NCP_DATA_DIR:-$ROOT/.data}
KEYS=$DATA_DIR/keys
ADDRESS=${NCP_MAIL_ADDRESS:-ncp@ncp.example}
say() { printf 'keys: %s\n' "$*"; }
die() { printf 'keys: error: %s\n' "$*" >&2; exit 1; }

command -v openssl >/dev/null || die "openssl is missing (apt-get install -y openssl)"
if [[ ${1:-} == tls ]]; then
  TLS_DIR=$(realpath -m "${2:?usage: infra/keys.sh tls DIR}")
fi
mkdir -p "$KEYS" "$KEYS/crl"
chmod 700 "$KEYS"
cd "$KEYS"

secret() { [[ -s $1 ]] || { head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$1"; chmod 600 "$1"; }; }

if [[ ! -s ca.pem || ! -s ca.key ]]; then
  say "making a development CA"
  openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 3650 -keyout ca.key -out ca.pem -subj "/CN=NCP development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 600 ca.key
  rm -f ncp.pfx
fi

# A server certificate is made again when it is missing, not from this CA, or within 30 days of its end.
if [[ -n ${TLS_DIR:-} ]]; then
  out=$TLS_DIR
  mkdir -p "$out"
  if [[ -s $out/server.pem && -s $out/server.key ]] &&
    openssl verify -CAfile ca.pem "$out/server.pem" >/dev/null 2>&1 &&
    openssl x509 -in "$out/server.pem" -noout -checkend $((30 * 86400)) >/dev/null; then
    exit 0
  fi
  say "making a TLS server certificate for the mail servers in $out"
  openssl req -newkey rsa:2048 -sha256 -nodes -keyout "$out/server.key" -out "$out/server.csr" -subj "/CN=mail.ncp.example" 2>/dev/null
  printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' \
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:mail.ncp.example' >"$out/server.ext"
  openssl x509 -req -in "$out/server.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -sha256 -extfile "$out/server.ext" \
    -out "$out/server.pem" 2>/dev/null
  chmod 600 "$out/server.key"
  rm -f "$out/server.csr" "$out/server.ext"
  exit 0
fi

command -v gpg >/dev/null || die "gpg is missing (apt-get install -y gnupg)"

if [[ ! -s ncp.pfx ]]; then
  say "making our S/MIME identity for $ADDRESS"
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
