#!/usr/bin/env bash
# Trains and evaluates the demo classifier on several scenario splits of the dataset and prints each
# category accuracy, so the figure of the committed split can be read against its variance.
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${GATEHOUSE_BIN:-.build/debug/gatehouse}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for salt in "" 1 2 3 4 5; do
  rm -rf "$work/config" && cp -r examples "$work/config"
  DATASET_OUT="$work/config/usecases/ticket-triage/datasets" SPLIT_SALT="$salt" python3 scripts/dataset/make_ticket_dataset.py > /dev/null
  sed -i "s#data_dir: ../.gatehouse/demo#data_dir: data#; s#\.\./datasets/#$PWD/datasets/#" "$work/config/gatehouse.yaml"
  figure=$("$binary" train ticket-triage --config "$work/config" | grep '^category')
  echo "split ${salt:-committed}: $figure"
done
