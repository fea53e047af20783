{{/* Names, labels and the pieces every Honeyflow container shares (Kafka settings). */}}

{{- define "honeyflow.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "honeyflow.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "honeyflow.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "honeyflow.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one component: (dict "root" $ "component" "engine") */}}
{{- define "honeyflow.selectorLabels" -}}
app.kubernetes.io/name: {{ include "honeyflow.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "honeyflow.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The bootstrap list, required. */}}
{{- define "honeyflow.bootstrap" -}}
{{- required "kafka.bootstrapServers is required (HOST:PORT[,HOST:PORT...])" .Values.kafka.bootstrapServers -}}
{{- end -}}

{{/* The Kafka user of a component when strimzi.users.enabled: (dict "root" $ "component" "engine") */}}
{{- define "honeyflow.kafkaUser" -}}
{{- printf "%s-%s" (include "honeyflow.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The Secret holding a component's Kafka client properties file, or "".
     (dict "root" $ "values" .Values.engine) */}}
{{- define "honeyflow.kafkaConfigSecret" -}}
{{- .values.kafkaConfigSecret | default .root.Values.kafka.config.secretName -}}
{{- end -}}

{{/* The CA Secret's name: the user's, or Strimzi's cluster CA with strimzi.users. */}}
{{- define "honeyflow.kafkaCaSecret" -}}
{{- if .Values.kafka.caSecret.name -}}
{{- .Values.kafka.caSecret.name -}}
{{- else if .Values.strimzi.users.enabled -}}
{{- printf "%s-cluster-ca-cert" .Values.strimzi.cluster -}}
{{- end -}}
{{- end -}}

{{/* The Kafka options every Honeyflow command takes, as args:
     (dict "root" $ "values" .Values.engine) */}}
{{- define "honeyflow.kafkaArgs" -}}
{{- if include "honeyflow.kafkaConfigSecret" . }}
- --kafka-config
- /etc/honeyflow/kafka/{{ .root.Values.kafka.config.key }}
{{- end }}
{{- range $k, $v := .root.Values.kafka.settings }}
- -X
- {{ printf "%s=%v" $k $v | quote }}
{{- end }}
{{- end -}}

{{/* Environment of a component's container: its Kafka login and the user's extra variables.
     (dict "root" $ "component" "engine" "values" .Values.engine) */}}
{{- define "honeyflow.kafkaEnv" -}}
{{- $root := .root -}}
- name: PYTHONUNBUFFERED
  value: "1"
- name: PYTHONDONTWRITEBYTECODE
  value: "1"
- name: HOME
  value: /tmp
{{- if include "honeyflow.kafkaCaSecret" $root }}
- name: HONEYFLOW_KAFKA_SSL_CA_LOCATION
  value: /etc/honeyflow/kafka-ca/{{ $root.Values.kafka.caSecret.key }}
{{- end }}
{{- if $root.Values.strimzi.users.enabled }}
- name: HONEYFLOW_KAFKA_SECURITY_PROTOCOL
  value: SASL_SSL
- name: HONEYFLOW_KAFKA_SASL_MECHANISM
  value: SCRAM-SHA-512
- name: HONEYFLOW_KAFKA_SASL_USERNAME
  value: {{ include "honeyflow.kafkaUser" . }}
- name: HONEYFLOW_KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "honeyflow.kafkaUser" . }}
      key: password
{{- end }}
{{- with $root.Values.kafka.env }}
{{ toYaml . }}
{{- end }}
{{- with .values.env }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Volume mounts for /tmp and the Kafka files: (dict "root" $ "component" "engine" "values" .Values.engine) */}}
{{- define "honeyflow.kafkaVolumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if include "honeyflow.kafkaConfigSecret" . }}
- name: kafka-config-{{ .component }}
  mountPath: /etc/honeyflow/kafka
  readOnly: true
{{- end }}
{{- if include "honeyflow.kafkaCaSecret" .root }}
- name: kafka-ca
  mountPath: /etc/honeyflow/kafka-ca
  readOnly: true
{{- end }}
{{- end -}}

{{/* A pod's volumes for /tmp and the Kafka CA: (dict "root" $) */}}
{{- define "honeyflow.sharedVolumes" -}}
- name: tmp
  emptyDir: {}
{{- with include "honeyflow.kafkaCaSecret" .root }}
- name: kafka-ca
  secret:
    secretName: {{ . }}
    items:
      - key: {{ $.root.Values.kafka.caSecret.key }}
        path: {{ $.root.Values.kafka.caSecret.key }}
{{- end }}
{{- end -}}

{{/* A component's Kafka client properties file: (dict "root" $ "component" "engine" "values" .Values.engine) */}}
{{- define "honeyflow.kafkaConfigVolume" -}}
{{- with include "honeyflow.kafkaConfigSecret" . }}
- name: kafka-config-{{ $.component }}
  secret:
    secretName: {{ . }}
    items:
      - key: {{ $.root.Values.kafka.config.key }}
        path: {{ $.root.Values.kafka.config.key }}
{{- end }}
{{- end -}}

{{/* Pod-level settings every component shares: (dict "root" $ "values" .Values.engine) */}}
{{- define "honeyflow.podCommon" -}}
automountServiceAccountToken: false
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .root.Values.podSecurityContext | nindent 2 }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The web console's container, in its own Deployment (PostgreSQL store) or beside the
     exporter (SQLite store). (dict "root" $ "store" "/path/or/empty") */}}
{{- define "honeyflow.webContainer" -}}
{{- $root := .root -}}
{{- $ctx := dict "root" $root "component" "web" "values" $root.Values.web -}}
- name: web
  image: {{ include "honeyflow.image" $root }}
  imagePullPolicy: {{ $root.Values.image.pullPolicy }}
  args:
    - honeyflow
    - web
    - --host
    - 0.0.0.0
    - --port
    - {{ $root.Values.web.port | quote }}
    {{- if not $root.Values.web.readOnly }}
    - --address
    - {{ printf "kafka://%s?prefix=%s" (include "honeyflow.bootstrap" $root) $root.Values.kafka.topicPrefix | quote }}
    {{- with include "honeyflow.kafkaArgs" $ctx | trim }}{{ . | nindent 4 }}{{- end }}
    {{- end }}
    - --state-dir
    - {{ .stateDir }}
    {{- if $root.Values.web.users.secretName }}
    - --users
    - /etc/honeyflow/web-users/{{ $root.Values.web.users.key }}
    {{- else if $root.Values.web.user }}
    - --user
    - {{ $root.Values.web.user | quote }}
    {{- end }}
    {{- with $root.Values.web.extraArgs }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  env:
    {{- include "honeyflow.storeEnv" (dict "root" $root "sqlite" .sqlite) | nindent 4 }}
    {{- include "honeyflow.kafkaEnv" $ctx | nindent 4 }}
  ports:
    - name: http
      containerPort: {{ $root.Values.web.port }}
  readinessProbe:
    httpGet:
      path: /
      port: http
    periodSeconds: 10
    timeoutSeconds: 5
  livenessProbe:
    tcpSocket:
      port: http
    initialDelaySeconds: 10
    periodSeconds: 20
  resources:
    {{- toYaml $root.Values.web.resources | nindent 4 }}
  securityContext:
    {{- toYaml $root.Values.securityContext | nindent 4 }}
  volumeMounts:
    {{- include "honeyflow.kafkaVolumeMounts" $ctx | nindent 4 }}
    {{- .stateMount | nindent 4 }}
    {{- if $root.Values.web.users.secretName }}
    - name: web-users
      mountPath: /etc/honeyflow/web-users
      readOnly: true
    {{- end }}
{{- end -}}

{{/* The web console's users file, from its Secret (web.users.secretName): ($) */}}
{{- define "honeyflow.webUsersVolume" -}}
{{- with .Values.web.users.secretName }}
- name: web-users
  secret:
    secretName: {{ . }}
    defaultMode: 0400
    items:
      - key: {{ $.Values.web.users.key }}
        path: {{ $.Values.web.users.key }}
{{- end }}
{{- end -}}

{{/* HONEYFLOW_STORE: PostgreSQL's URL from its Secret, else the SQLite file on the volume.
     (dict "root" $ "sqlite" "/var/lib/honeyflow/store/visibility.db") */}}
{{- define "honeyflow.storeEnv" -}}
{{- if .root.Values.store.postgresql.secretName -}}
- name: HONEYFLOW_STORE
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.store.postgresql.secretName }}
      key: {{ .root.Values.store.postgresql.key }}
{{- else -}}
- name: HONEYFLOW_STORE
  value: {{ .sqlite }}
{{- end -}}
{{- end -}}
