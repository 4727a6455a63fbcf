#!/usr/bin/env bash
# `make deploy-check`: the Helm chart linted, rendered and validated against Kubernetes'
# own schemas, with no cluster and nothing downloaded but Go modules. The tools install
# themselves from the Go module proxy by version into .tools/ (gitignored); the schemas are
# made from the OpenAPI document in the k8s.io/kubernetes module of the same Kubernetes
# version (deploy/tools/kubernetes_schemas.py says how). Bump a version here and the next
# run installs it beside the old one.
set -euo pipefail

HELM_VERSION=v3.21.4
KUBECONFORM_VERSION=v0.8.0
KUBERNETES_VERSION=1.36.3
# The kinds the chart renders; kubeconform fails on a kind with no schema, so add it here.
KINDS=(Deployment Service Job Ingress PodDisruptionBudget)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=$ROOT/.tools
CHART=$ROOT/deploy/helm/akiba
HELM=$TOOLS/helm-$HELM_VERSION/helm
KUBECONFORM=$TOOLS/kubeconform-$KUBECONFORM_VERSION/kubeconform
SCHEMAS=$TOOLS/kubernetes-schemas

command -v go >/dev/null || { echo "deploy-check needs Go (the tools are built from the Go module proxy)" >&2; exit 1; }

if [ ! -x "$HELM" ]; then
  echo "installing helm $HELM_VERSION into $(dirname "$HELM")"
  GOBIN=$(dirname "$HELM") go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
if [ ! -x "$KUBECONFORM" ]; then
  echo "installing kubeconform $KUBECONFORM_VERSION into $(dirname "$KUBECONFORM")"
  GOBIN=$(dirname "$KUBECONFORM") go install "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION"
fi
schema_dir=$SCHEMAS/v$KUBERNETES_VERSION-standalone-strict
stamp=$schema_dir/.kinds
if [ "$(cat "$stamp" 2>/dev/null)" != "${KINDS[*]}" ]; then
  echo "making the schemas of Kubernetes $KUBERNETES_VERSION from k8s.io/kubernetes' OpenAPI"
  module_dir=$(cd "$TOOLS" && go mod download -json "k8s.io/kubernetes@v$KUBERNETES_VERSION" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
  rm -rf "$schema_dir"
  python3 "$ROOT/deploy/tools/kubernetes_schemas.py" \
    "$module_dir/api/openapi-spec/swagger.json" "$KUBERNETES_VERSION" "$SCHEMAS" "${KINDS[@]}"
  echo "${KINDS[*]}" >"$stamp"
fi

# Default values, then the production example (replicas, TLS, resources, Ingress).
for values in "" "$CHART/examples/production.yaml"; do
  args=()
  [ -z "$values" ] || args=(--values "$values")
  echo "== ${values:-default values}"
  "$HELM" lint --strict "$CHART" "${args[@]}"
  "$HELM" template akiba "$CHART" --kube-version "$KUBERNETES_VERSION" "${args[@]}" \
    | "$KUBECONFORM" -strict -summary -schema-location "$SCHEMAS" \
        -kubernetes-version "$KUBERNETES_VERSION"
done
