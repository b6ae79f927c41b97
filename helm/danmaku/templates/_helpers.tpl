{{/* Chart name. */}}
{{- define "danmaku.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped name prefix. */}}
{{- define "danmaku.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of a component's resources: (dict "ctx" . "component" "gateway") */}}
{{- define "danmaku.componentName" -}}
{{- printf "%s-%s" (include "danmaku.fullname" .ctx) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels of a component. */}}
{{- define "danmaku.selectorLabels" -}}
app.kubernetes.io/name: {{ include "danmaku.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* All labels of a component. */}}
{{- define "danmaku.labels" -}}
{{ include "danmaku.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "danmaku.image" -}}
{{ .Values.image.repository }}:{{ default .Chart.AppVersion .Values.image.tag }}
{{- end }}

{{- define "danmaku.jwtSecretName" -}}
{{- default (printf "%s-jwt" (include "danmaku.fullname" .)) .Values.jwt.existingSecret }}
{{- end }}

{{- define "danmaku.postgresSecretName" -}}
{{- default (printf "%s-postgres" (include "danmaku.fullname" .)) .Values.postgres.existingSecret }}
{{- end }}

{{/*
Kafka and token settings every component reads (DANMAKU_KAFKA_* pass through to the Kafka clients).
With jwt.jwksUrl the gateways get the identity provider's keys and no secret: they verify, never mint.
*/}}
{{- define "danmaku.commonEnv" -}}
{{- $component := .component }}
{{- with .ctx }}
- name: DANMAKU_KAFKA_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
- name: DANMAKU_TOPIC_PREFIX
  value: {{ .Values.kafka.topicPrefix | quote }}
- name: DANMAKU_TOPIC_PARTITIONS
  value: {{ .Values.kafka.partitions | quote }}
- name: DANMAKU_TOPIC_REPLICATION_FACTOR
  value: {{ .Values.kafka.replicationFactor | quote }}
- name: DANMAKU_BIND_HOST
  value: "0.0.0.0"
- name: DANMAKU_MANAGEMENT_PORT
  value: {{ .Values.managementPort | quote }}
{{- if not (and .Values.jwt.jwksUrl (eq $component "gateway")) }}
- name: DANMAKU_JWT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ include "danmaku.jwtSecretName" . }}
      key: {{ .Values.jwt.existingSecretKey }}
{{- end }}
{{- if .Values.jwt.jwksUrl }}
- name: DANMAKU_JWT_JWKS_URL
  value: {{ .Values.jwt.jwksUrl | quote }}
- name: DANMAKU_JWT_ISSUER
  value: {{ .Values.jwt.issuer | default "danmaku" | quote }}
- name: DANMAKU_JWT_AUDIENCE
  value: {{ .Values.jwt.audience | default "danmaku" | quote }}
{{- end }}
- name: DANMAKU_JWT_STAFF_LIFETIME_MINUTES
  value: {{ .Values.jwt.staffLifetimeMinutes | default 60 | quote }}
{{- if or .Values.kafka.tls.enabled .Values.kafka.sasl.enabled }}
- name: DANMAKU_KAFKA_SECURITY_PROTOCOL
  value: {{ if and .Values.kafka.tls.enabled .Values.kafka.sasl.enabled }}SASL_SSL{{ else if .Values.kafka.tls.enabled }}SSL{{ else }}SASL_PLAINTEXT{{ end }}
{{- end }}
{{- if .Values.kafka.tls.enabled }}
- name: DANMAKU_KAFKA_SSL_TRUSTSTORE_TYPE
  value: PKCS12
- name: DANMAKU_KAFKA_SSL_TRUSTSTORE_LOCATION
  value: /etc/danmaku/kafka-ca/{{ .Values.kafka.tls.truststoreKey }}
- name: DANMAKU_KAFKA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.tls.caSecret is required (the cluster CA; Strimzi: <cluster>-cluster-ca-cert), or kafka.tls.enabled=false for a Kafka without TLS" .Values.kafka.tls.caSecret }}
      key: {{ .Values.kafka.tls.passwordKey }}
{{- with get .Values.kafka.tls.clientCertSecrets $component }}
- name: DANMAKU_KAFKA_SSL_KEYSTORE_TYPE
  value: PKCS12
- name: DANMAKU_KAFKA_SSL_KEYSTORE_LOCATION
  value: /etc/danmaku/kafka-client/{{ $.ctx.Values.kafka.tls.keystoreKey }}
- name: DANMAKU_KAFKA_SSL_KEYSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.ctx.Values.kafka.tls.keystorePasswordKey }}
{{- end }}
{{- else if (get .Values.kafka.tls.clientCertSecrets $component) }}
{{- fail "kafka.tls.clientCertSecrets need kafka.tls.enabled: a client certificate is presented over TLS only" }}
{{- end }}
{{- if .Values.kafka.sasl.enabled }}
- name: DANMAKU_KAFKA_SASL_MECHANISM
  value: {{ .Values.kafka.sasl.mechanism | quote }}
- name: DANMAKU_KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ required "kafka.sasl.existingSecret is required with kafka.sasl.enabled" (get .Values.kafka.sasl.componentSecrets $component | default .Values.kafka.sasl.existingSecret) }}
      key: {{ .Values.kafka.sasl.jaasConfigKey }}
{{- end }}
{{- range $property, $value := .Values.kafka.properties }}
- name: {{ printf "DANMAKU_KAFKA_%s" ($property | upper | replace "." "_") }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* The pod's own name, for ids that must be unique among replicas. */}}
{{- define "danmaku.podNameEnv" -}}
- name: {{ . }}
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- end }}

{{/*
A component's Deployment.
(dict "ctx" . "component" "gateway" "values" .Values.gateway "command" "gateway" "portEnv" "DANMAKU_GATEWAY_PORT" "env" "<yaml list>")
*/}}
{{- define "danmaku.deployment" -}}
{{- $ctx := .ctx }}
{{- $values := .values }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "danmaku.componentName" . }}
  labels:
    {{- include "danmaku.labels" . | nindent 4 }}
spec:
  {{- if not $values.hpa.enabled }}
  replicas: {{ $values.replicas }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "danmaku.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "danmaku.labels" . | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $ctx.Template.BasePath "/" .component "/configmap.yaml") $ctx | sha256sum }}
        checksum/secrets: {{ include (print $ctx.Template.BasePath "/secrets.yaml") $ctx | sha256sum }}
    spec:
      automountServiceAccountToken: false
      {{- with $ctx.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $ctx.Values.podSecurityContext | nindent 8 }}
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      containers:
        - name: {{ .component }}
          image: {{ include "danmaku.image" $ctx }}
          imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
          args: [{{ .command | quote }}]
          securityContext:
            {{- toYaml $ctx.Values.securityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $values.port }}
              protocol: TCP
            - name: management
              containerPort: {{ $ctx.Values.managementPort }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "danmaku.componentName" . }}
          env:
            {{- include "danmaku.commonEnv" (dict "ctx" $ctx "component" .component) | nindent 12 }}
            - name: {{ .portEnv }}
              value: {{ $values.port | quote }}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
          livenessProbe:
            httpGet: {path: /healthz, port: management}
            initialDelaySeconds: 20
            periodSeconds: 10
            failureThreshold: 6
          readinessProbe:
            httpGet: {path: /readyz, port: management}
            periodSeconds: 5
            failureThreshold: 2
          startupProbe:
            httpGet: {path: /healthz, port: management}
            periodSeconds: 2
            failureThreshold: 60
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $values.preStopSeconds }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $ctx.Values.kafka.tls.enabled }}
            - name: kafka-ca
              mountPath: /etc/danmaku/kafka-ca
              readOnly: true
            {{- if get $ctx.Values.kafka.tls.clientCertSecrets .component }}
            - name: kafka-client
              mountPath: /etc/danmaku/kafka-client
              readOnly: true
            {{- end }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $ctx.Values.tmpSizeLimit }}
        {{- if $ctx.Values.kafka.tls.enabled }}
        - name: kafka-ca
          secret:
            secretName: {{ $ctx.Values.kafka.tls.caSecret }}
        {{- with get $ctx.Values.kafka.tls.clientCertSecrets .component }}
        - name: kafka-client
          secret:
            secretName: {{ . }}
        {{- end }}
        {{- end }}
      {{- if $values.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml $values.topologySpreadConstraints | nindent 8 }}
      {{- else }}
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "danmaku.selectorLabels" . | nindent 14 }}
      {{- end }}
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end }}

{{/* A component's ConfigMap of extra settings (values.<component>.env). */}}
{{- define "danmaku.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "danmaku.componentName" . }}
  labels:
    {{- include "danmaku.labels" . | nindent 4 }}
data:
  {{- range $key, $value := .data }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
{{- end }}

{{- define "danmaku.service" -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "danmaku.componentName" . }}
  labels:
    {{- include "danmaku.labels" . | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "danmaku.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ .values.port }}
      targetPort: http
      protocol: TCP
    - name: management
      port: {{ .ctx.Values.managementPort }}
      targetPort: management
      protocol: TCP
{{- end }}

{{- define "danmaku.hpa" -}}
{{- if .values.hpa.enabled }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "danmaku.componentName" . }}
  labels:
    {{- include "danmaku.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "danmaku.componentName" . }}
  minReplicas: {{ .values.hpa.minReplicas }}
  maxReplicas: {{ .values.hpa.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .values.hpa.targetCPUUtilizationPercentage }}
{{- end }}
{{- end }}

{{- define "danmaku.pdb" -}}
{{- if .values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "danmaku.componentName" . }}
  labels:
    {{- include "danmaku.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .values.pdb.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "danmaku.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "danmaku.serviceMonitor" -}}
{{- if .values.serviceMonitor.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "danmaku.componentName" . }}
  labels:
    {{- include "danmaku.labels" . | nindent 4 }}
spec:
  selector:
    matchLabels:
      {{- include "danmaku.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: management
      path: /metrics
      interval: {{ .values.serviceMonitor.interval }}
{{- end }}
{{- end }}
