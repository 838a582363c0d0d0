#!/usr/bin/env bash
# Builds the derived fixtures of this folder from the copied ones with
# yaz-marcdump (Debian package yaz). Run it from anywhere; it rewrites
#   mixed-marc21-unimarc.mrc   MARC21 and UNIMARC/RUSMARC records in one ISO 2709 file
#   marc21-880-linkage.mrc     a MARC21 record whose 245 starts with $6 and has 880 fields
#   marc21-001-003.mrc         three MARC21 records without ISBN, with 001 + 003, 035 or neither
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# mixed: records 1-3 of the MARC21 file, the RUSMARC record, records 4-5
yaz-marcdump -L 3 -o marc marc21-utf8-cyrillic.mrc >"$tmp/a.mrc"
yaz-marcdump -O 3 -L 2 -o marc marc21-utf8-cyrillic.mrc >"$tmp/b.mrc"
cat "$tmp/a.mrc" rusmarc-utf8.iso "$tmp/b.mrc" >mixed-marc21-unimarc.mrc

# $6 first: record 1 of the MARC21 file in yaz's line format, 245 rewritten
# with the linkage subfield before $a (and a part number "Кн. 1", so that
# it is not the same book as record 1 of the mixed file), and 880 fields in
# Latin script
yaz-marcdump -L 1 marc21-utf8-cyrillic.mrc |
  sed -e 's/^245 10 \$a \(.*\)$/245 10 $6 880-01 $a \1 $n Кн. 1/' \
      -e 's/^100 1  \$a /100 1  $6 880-02 $a /' |
  awk '{ print } /^700 / { print "880 10 $6 245-01/(N $a Lyudi s chistoi sovestyu : $b vospominaniya"; print "880 1  $6 100-02/(N $a Vershigora, Petr Petrovich" }' \
  >"$tmp/880.txt"
yaz-marcdump -i line -o marc "$tmp/880.txt" >marc21-880-linkage.mrc

# control numbers: three records of the MARC21 file without their ISBN
# (020 dropped); the first gets 003, the second a 035, the third neither
yaz-marcdump -O 5 -L 3 marc21-utf8-cyrillic.mrc | grep -v '^020 ' |
  awk 'BEGIN { n = 0 } /^[0-9][0-9][0-9][0-9][0-9]/ { n++ } { print }
       /^001 / && n == 1 { print "003 AM-YeHGA" }
       /^008 / && n == 2 { print "035    $a (AM-YeHGA)TEST-035-0002" }' >"$tmp/ctl.txt"
yaz-marcdump -i line -o marc "$tmp/ctl.txt" >marc21-001-003.mrc
