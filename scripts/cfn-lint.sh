#!/usr/bin/env bash
# Validates every CloudFormation template in infra/ with AWS's cfn-lint (Python, pip package cfn-lint),
# informational checks included: any finding, an informational one too, fails the run. Two additions:
#   infra/schemas/           registry schemas (--registry-schemas) of resource types cfn-lint's bundled
#                            schemas lack (AWS::SecurityHub::ActionTarget); provenance in its README.md
#   scripts/cfn-lint-rules/  one rule (--append-rules) that checks resources of those types against their
#                            schema, which cfn-lint itself does not do (see the rule's docstring)
#
#   scripts/cfn-lint.sh                 every infra/*.yaml, with its default parameters and the extra
#                                       parameter sets below (so conditional branches are checked too)
#   scripts/cfn-lint.sh FILE...         only these templates (default parameters, and the sets of their file name)
#
# Uses cfn-lint from PATH, the cfnlint Python module, or .tools/cfn-lint/; when none is there, installs
# cfn-lint==$lint_version with pip --user, or where that is refused (Debian's externally managed Python) into a
# virtual environment .tools/cfn-lint/ (python3-venv from apt when missing). Exits non-zero when any template, in
# any parameter set, has a finding.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
lint_version="1.51.0"
schemas="$root/infra/schemas"
rules="$root/scripts/cfn-lint-rules"
venv="$root/.tools/cfn-lint"

cfn_lint=()
find_cfn_lint() {
  local user_bin
  if command -v cfn-lint >/dev/null 2>&1; then
    cfn_lint=(cfn-lint)
  elif python3 -c 'import cfnlint.runner' >/dev/null 2>&1; then
    cfn_lint=(python3 -c 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; sys.exit(main())')
  elif user_bin="$(python3 -m site --user-base 2>/dev/null)/bin" && [ -x "$user_bin/cfn-lint" ]; then
    cfn_lint=("$user_bin/cfn-lint")
  elif [ -x "$venv/bin/cfn-lint" ]; then
    cfn_lint=("$venv/bin/cfn-lint")
  else
    return 1
  fi
}

if ! find_cfn_lint; then
  echo "cfn-lint.sh: cfn-lint not found; installing cfn-lint==$lint_version with pip --user" >&2
  if command -v pip >/dev/null 2>&1; then
    pip install --user --quiet "cfn-lint==$lint_version" >&2 || true
  fi
  if ! find_cfn_lint && command -v python3 >/dev/null 2>&1; then
    python3 -m pip install --user --quiet "cfn-lint==$lint_version" >&2 || true
  fi
  if ! find_cfn_lint; then
    echo "cfn-lint.sh: pip --user did not install it; installing into $venv" >&2
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
      rm -rf "$venv"
      bash "$root/scripts/apt-install.sh" python3 python3-venv >&2 || true
      python3 -m venv "$venv" >&2 || true
    fi
    if [ -x "$venv/bin/pip" ]; then
      "$venv/bin/pip" install --quiet "cfn-lint==$lint_version" >&2 || true
    fi
  fi
  if ! find_cfn_lint; then
    echo "cfn-lint.sh: cfn-lint is not installed and pip could not install it." >&2
    echo "  Install AWS's CloudFormation linter (Python 3.9+) so that cfn-lint is on PATH: pip install" >&2
    echo "  cfn-lint==$lint_version, or where pip refuses (externally managed Python): pipx install cfn-lint==$lint_version" >&2
    echo "  (the installer needs PyPI; Python 3 and python3-venv come from apt)" >&2
    exit 1
  fi
fi

installed="$("${cfn_lint[@]}" --version 2>/dev/null | awk '{print $NF}')"
if [ "$installed" != "$lint_version" ]; then
  echo "cfn-lint.sh: cfn-lint $installed is installed, CI pins $lint_version: findings may differ" >&2
fi

# Parameter values per template. Given any values, cfn-lint requires one for every parameter without a Default
# (and rejects names the template lacks); it resolves Conditions and Refs from them, so each set checks the
# branches it switches on:
#   base  values every run of the template uses (every parameter without a Default);
#   set   one more run with these values (on top of base).
# A template without a line runs once, with no values. List parameters (CommaDelimitedList) cannot be set here:
# cfn-lint 1.51.0 passes --parameters values as strings.
# One line each: TEMPLATE<TAB>base|set<TAB>Key=Value,Key=Value (values without commas).
parameter_lines() {
  cat <<'EOF'
layerwatch-central.yaml	base	ArtifactBucket=layerwatch-artifacts-123456789012,JarObjectVersion=3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
layerwatch-central.yaml	set	StreamMode=PROVISIONED,FeedShape=both,OrgTrailLogGroupName=aws-controltower/CloudTrailLogs,TrailAccountIds=111122223333,OrganizationId=o-a1b2c3d4e5,DeadLetterType=sqs,EnableRemediation=true,RemediationExecute=true,OcsfTarget=kinesis,OcsfStreamArn=arn:aws:kinesis:eu-west-1:123456789012:stream/ocsf,WebhookSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:hook-AbCdEf,EfoConsumerName=layerwatch,RulesS3Key=rules/layerwatch-rules.yaml,InitialPosition=AT_TIMESTAMP,InitialTimestamp=2024-05-01T00:00:00Z,AlertEmail=secops@example.com,OpsEmail=ops@example.com,EnableSecurityHubAction=false
layerwatch-central.yaml	set	FeedShape=cloudwatch-logs,OrgTrailLogGroupName=aws-controltower/CloudTrailLogs,OcsfTarget=firehose,OcsfFirehoseName=layerwatch-ocsf,OrganizationId=o-a1b2c3d4e5
layerwatch-central.yaml	set	EnableRemediation=true,ImageAssessmentSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:assessment-AbCdEf,AuditLockMode=COMPLIANCE,SecurityHubRegion=eu-central-1,DeadLetterType=sqs,EnableRevokeSessions=true
layerwatch-artifacts.yaml	base	DeployPrincipalArns=arn:aws:iam::123456789012:role/layerwatch-deploy
layerwatch-member.yaml	base	CentralAccountId=123456789012,CentralRegion=eu-west-1
layerwatch-member.yaml	set	EnableRemediation=true,PrimaryRegion=eu-west-1,EnableRevokeSessions=true
layerwatch-image-assessment.yaml	base	AssessmentServiceAccountId=111122223333,ExternalId=enrollment-4f2a9c
layerwatch-image-assessment.yaml	set	SecretReaderRoleArn=arn:aws:iam::123456789012:role/layerwatch-application-eu-west-1
layerwatch-image-assessment.yaml	set	SecretReaderRoleArn=arn:aws:iam::123456789012:role/layerwatch-application-eu-west-1,SecretKmsKeyArn=arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
layerwatch-trail-subscription.yaml	base	TrailLogGroupName=aws-controltower/CloudTrailLogs,DestinationArn=arn:aws:logs:eu-west-1:123456789012:destination:layerwatch-ecr-trail
EOF
}

lint() { # template [Key=Value,...]
  local args=(-c I --non-zero-exit-code informational --registry-schemas "$schemas" --append-rules "$rules")
  if [ -n "${2:-}" ]; then
    local pairs
    IFS=',' read -r -a pairs <<< "$2"
    args+=(--parameters "${pairs[@]}")
  fi
  "${cfn_lint[@]}" "${args[@]}" -- "$1"
}

if [ "$#" -gt 0 ]; then
  templates=("$@")
else
  templates=("$root"/infra/*.yaml)
fi

failed=0
checked=0
for t in "${templates[@]}"; do
  name="$(basename "$t")"
  base=""
  sets=()
  while IFS=$'\t' read -r file kind params; do
    [ "$file" = "$name" ] || continue
    case "$kind" in
      base) base="$params" ;;
      set) sets+=("$params") ;;
    esac
  done < <(parameter_lines)
  sets=("$base" "${sets[@]/#/${base:+$base,}}")
  for params in "${sets[@]}"; do
    label="$name${params:+ [$params]}"
    checked=$((checked + 1))
    if lint "$t" "$params"; then
      echo "ok   $label"
    else
      echo "FAIL $label"
      failed=$((failed + 1))
    fi
  done
done
echo "cfn-lint $installed (-c I, registry schemas $(basename "$schemas")/): $((checked - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
