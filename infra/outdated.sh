#!/usr/bin/env bash
# The packages of Directory.Packages.props that have a newer version on the NuGet feed, as a short summary for CI's
# output (.ci/run). It never fails: a feed that cannot be reached, or an answer it cannot read, is said in one line.
# Newer is not always wanted: MassTransit 9 is a paid licence, and each family moves together (Ncp.Tests/Docs/DependencyTests.cs).
set -uo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
answer=$(mktemp)
errors=$(mktemp)
trap 'rm -f "$answer" "$errors"' EXIT

command -v dotnet >/dev/null 2>&1 || { echo "outdated packages: not known (the .NET SDK is not on PATH)"; exit 0; }
if ! timeout "${NCP_OUTDATED_TIMEOUT:-300}" dotnet list "$ROOT/Ncp.sln" package --outdated --format json >"$answer" 2>"$errors"; then
  reason=$(grep -m1 -iE 'error|unable|failed' "$answer" "$errors" | sed 's/^[^:]*://' | cut -c1-160)
  echo "outdated packages: not known (the NuGet feed did not answer: ${reason:-dotnet list package failed})"
  exit 0
fi

# perl is part of every Debian install; JSON::PP is in its core.
perl -MJSON::PP -0777 -ne '
  my $doc = eval { decode_json($_) } or do { print "outdated packages: not known (an answer dotnet list package gave could not be read)\n"; exit 0 };
  my (%newer, @problems);
  for my $project (@{ $doc->{projects} // [] }) {
    push @problems, map { $_->{text} } @{ $project->{problems} // [] };
    for my $framework (@{ $project->{frameworks} // [] }) {
      for my $package (@{ $framework->{topLevelPackages} // [] }) {
        my $latest = $package->{latestVersion} // "";
        next if $latest eq "" || $latest =~ /not found/i;
        $newer{ $package->{id} } = "$package->{id} $package->{resolvedVersion} -> $latest";
      }
    }
  }
  push @problems, map { $_->{text} } @{ $doc->{problems} // [] };
  if (@problems && !%newer) { printf "outdated packages: not known (%s)\n", substr($problems[0], 0, 160); exit 0 }
  my @lines = map { $newer{$_} } sort keys %newer;
  printf "outdated packages: %d%s\n", scalar @lines, @lines ? " (" . join(", ", @lines) . ")" : "";
' "$answer"
