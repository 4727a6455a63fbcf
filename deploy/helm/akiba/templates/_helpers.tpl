{{/* The release's name for its objects, at most 40 characters so that
"<fullname>-<service>-<role>" stays within Kubernetes' 63. */}}
{{- define "akiba.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "akiba.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/part-of: akiba
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{/* Selector labels of one role: (dict "root" $ "service" name "role" role). */}}
{{- define "akiba.selectorLabels" -}}
app.kubernetes.io/name: {{ .service }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "akiba.image" -}}
{{- $image := .root.Values.image -}}
{{- printf "%s/%s:%s" $image.repositoryPrefix .service (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}

{{/* A role serves HTTP when it is the api role (the metrics port otherwise). */}}
{{- define "akiba.isApi" -}}
{{- if eq .role "api" }}true{{ end -}}
{{- end -}}

{{/* The settings every process of a service reads from the environment (exactly the names
of its Settings; the settings ignore unknown names, so tests/test_helm_chart.py checks them):
(dict "root" $ "service" name "svc" values "role" role-or-"" "roleValues" values). */}}
{{- define "akiba.env" -}}
{{- $root := .root -}}
{{- $svc := .svc -}}
- name: AKIBA_SERVICE_NAME
  value: {{ .service | quote }}
- name: AKIBA_HTTP_HOST
  value: "0.0.0.0"
- name: AKIBA_HTTP_PORT
  value: {{ $svc.httpPort | quote }}
{{- if .role }}
{{- /* The pod's name names its PostgreSQL sessions and Kafka clients: which replica leads
the relay (pg_stat_activity) and holds which partitions (the consumer group). */}}
- name: AKIBA_INSTANCE_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end }}
{{- if and .role (ne .role "api") }}
- name: AKIBA_METRICS_PORT
  value: {{ $root.Values.metricsPort | quote }}
{{- end }}
- name: AKIBA_LOG_LEVEL
  value: {{ $root.Values.logLevel | quote }}
- name: AKIBA_OTEL_EXPORTER
  value: {{ $root.Values.otel.exporter | quote }}
{{- with $root.Values.otel.endpoint }}
- name: AKIBA_OTEL_ENDPOINT
  value: {{ . | quote }}
{{- end }}
- name: AKIBA_KAFKA_BOOTSTRAP_SERVERS
  value: {{ $root.Values.kafka.bootstrapServers | quote }}
- name: AKIBA_KAFKA_REPLICATION_FACTOR
  value: {{ $root.Values.kafka.replicationFactor | quote }}
- name: AKIBA_KAFKA_MIN_INSYNC_REPLICAS
  value: {{ $root.Values.kafka.minInsyncReplicas | quote }}
- name: AKIBA_KAFKA_SECURITY_PROTOCOL
  value: {{ ternary "SASL_SSL" "SASL_PLAINTEXT" $root.Values.kafka.tls.enabled | quote }}
- name: AKIBA_KAFKA_SASL_MECHANISM
  value: {{ $root.Values.kafka.saslMechanism | quote }}
- name: AKIBA_KAFKA_SASL_USERNAME
  value: {{ required (printf "services.%s.kafka.username" .service) $svc.kafka.username | quote }}
- name: AKIBA_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "services.%s.kafka.passwordSecret.name" .service) $svc.kafka.passwordSecret.name }}
      key: {{ $svc.kafka.passwordSecret.key }}
{{- if and $root.Values.kafka.tls.enabled $root.Values.kafka.tls.caSecret.name }}
# Python's ssl (aiokafka's default context) loads its trusted CAs from here.
- name: SSL_CERT_FILE
  value: /etc/akiba/kafka-ca/ca.crt
{{- end }}
{{- range $name, $ref := $svc.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $ref.name }}
      key: {{ $ref.key }}
{{- end }}
{{- range $backend := $svc.backends }}
{{- $target := index $root.Values.services $backend }}
- name: {{ printf "AKIBA_%s_URL" ($backend | upper | replace "-" "_") }}
  value: {{ printf "http://%s-%s-api:%v" (include "akiba.fullname" $root) $backend $target.httpPort | quote }}
{{- end }}
{{- range $name, $value := $svc.env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- with .roleValues }}
{{- range $name, $value := .env }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The Kafka CA, when one is named. */}}
{{- define "akiba.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  mountPath: /etc/akiba/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}

{{- define "akiba.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if and .Values.kafka.tls.enabled .Values.kafka.tls.caSecret.name }}
- name: kafka-ca
  secret:
    secretName: {{ .Values.kafka.tls.caSecret.name }}
    items:
      - key: {{ .Values.kafka.tls.caSecret.key }}
        path: ca.crt
{{- end }}
{{- end -}}

{{/* The image's user (uid 10001, see the Dockerfile), nothing more. */}}
{{- define "akiba.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "akiba.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: [ALL]
{{- end -}}
