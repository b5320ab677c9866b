# Sourced by the tarball's test scripts (newcomer.sh, class-data-sharing.sh).
#   free_port_config FILE    picks six free loopback ports, sets mx sub subs imap imaps http to them and writes a
#                            configuration that listens on them, with its data in ./data
free_port_config() {
    read -r mx sub subs imap imaps http < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
    cat >"$1" <<YAML
server:
  hostname: mail.example.org
storage:
  data-dir: ./data
smtp:
  port: $mx
submission:
  port: $sub
  tls-port: $subs
imap:
  port: $imap
  tls-port: $imaps
http:
  port: $http
YAML
}
