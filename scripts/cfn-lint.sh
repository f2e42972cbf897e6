#!/usr/bin/env bash
# Validates every CloudFormation template in infra/ with a real validator: npm cfn-lint (pinned), whose
# bundled 2019 resource specification is replaced by the current one from npm @aws-cdk/cfnspec (pinned),
# plus the few resource types newer than that specification (listed below, each from the CloudFormation
# template reference). Installed once into .tools/cfn-lint; later runs reuse it.
#
#   scripts/cfn-lint.sh                 every infra/*.yaml, with its default parameters and the extra
#                                       parameter sets below (so conditional branches are checked too)
#   scripts/cfn-lint.sh FILE...         only these templates (default parameters and their extra sets)
#
# Exits non-zero when any template (in any parameter set) has an error.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/.tools/cfn-lint"
lint_version="1.9.7"
spec_version="2.72.1"
# Bump when the patches below change, so cached installs are patched again.
patch_id="cfnspec-$spec_version+supplement-1+validator-fixes-1"

installed_version() { # package.json -> version, or nothing
  [ -f "$1" ] && node -e 'process.stdout.write(require(process.argv[1]).version)' "$1" 2>/dev/null || true
}

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "cfn-lint.sh: node and npm are needed (apt-get install nodejs npm)" >&2
  exit 1
fi

if [ "$(installed_version "$dir/node_modules/cfn-lint/package.json")" != "$lint_version" ] \
    || [ "$(installed_version "$dir/node_modules/@aws-cdk/cfnspec/package.json")" != "$spec_version" ]; then
  echo "cfn-lint.sh: installing cfn-lint@$lint_version and @aws-cdk/cfnspec@$spec_version into $dir" >&2
  mkdir -p "$dir"
  rm -f "$dir/.patched"
  [ -f "$dir/package.json" ] || echo '{"name":"layerwatch-cfn-lint","private":true}' > "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error \
      "cfn-lint@$lint_version" "@aws-cdk/cfnspec@$spec_version" >&2)
fi

if [ "$(cat "$dir/.patched" 2>/dev/null || true)" != "$patch_id" ]; then
  # The current resource specification over the bundled one, plus resource types CloudFormation added
  # after @aws-cdk/cfnspec 2.72.1 (properties and attributes as the CloudFormation reference gives them).
  (cd "$dir" && node -e '
    const fs = require("fs");
    const spec = require("@aws-cdk/cfnspec").specification();
    const doc = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/";
    const str = (required, update) => ({ PrimitiveType: "String", Required: required, UpdateType: update });
    const supplement = {
      "AWS::SecurityHub::ActionTarget": {
        Documentation: doc + "aws-resource-securityhub-actiontarget.html",
        Properties: { Description: str(true, "Mutable"), Id: str(true, "Immutable"), Name: str(true, "Mutable") },
        Attributes: { ActionTargetArn: { PrimitiveType: "String" } },
      },
    };
    for (const [type, def] of Object.entries(supplement)) {
      if (!spec.ResourceTypes[type]) spec.ResourceTypes[type] = def;
    }
    fs.writeFileSync("node_modules/cfn-lint/data/aws_resources_specification.json", JSON.stringify(spec));

    // Two bugs of cfn-lint 1.9.7 that reject valid templates; each fix keeps the check and only corrects
    // its bookkeeping (both fixes are exact-text replacements, and fail loudly if the text is not found):
    // 1. checkMap verifies every map value as present, while checkList and checkComplexObject skip
    //    values that resolved to AWS::NoValue (CloudFormation removes such a key, e.g. in a PropertyMap).
    // 2. doIntrinsicIf descends into an object branch (Fn::If [cond, {...}, ...]) without pushing a location,
    //    so the descent pops one location too many and everything after it is reported as misplaced
    //    ("Intrinsic function Ref is not supported here").
    const file = "node_modules/cfn-lint/lib/validator.js";
    let js = fs.readFileSync(file, "utf8");
    const fixes = [
      ["        var item = mapToCheck[key];\n        var itemType = getItemType(objectType);",
       "        var item = mapToCheck[key];\n        if (item === undefined) { placeInTemplate.pop(); continue; } // LayerWatch fix 1\n        var itemType = getItemType(objectType);"],
      ["                recursiveDecent(value);\n                return value;",
       "                placeInTemplate.push(toGet[0] ? 1 : 2); // LayerWatch fix 2\n                recursiveDecent(value);\n                return value;"],
    ];
    for (const [from, to] of fixes) {
      if (js.includes(to)) continue;
      if (js.split(from).length !== 2) throw new Error("cfn-lint.sh: validator.js does not contain the text to fix: " + from);
      js = js.replace(from, to);
    }
    fs.writeFileSync(file, js);
  ')
  echo "$patch_id" > "$dir/.patched"
fi

# Parameter values per template. cfn-lint guesses values for parameters without a Default (a plain string,
# which fails its ARN checks) and resolves Conditions from the values, so:
#   base  values every run of the template uses (for required parameters that must look like ARNs);
#   set   one more run with these values (on top of base), validating the branches they switch on.
# One line each: TEMPLATE<TAB>base|set<TAB>Key=Value,Key=Value (values without commas).
parameter_lines() {
  cat <<'EOF'
layerwatch-central.yaml	set	StreamMode=PROVISIONED,FeedShape=both,OrgTrailLogGroupName=aws-controltower/CloudTrailLogs,OrganizationId=o-a1b2c3d4e5,DeadLetterType=sqs,EnableRemediation=true,RemediationExecute=true,OcsfTarget=kinesis,OcsfStreamArn=arn:aws:kinesis:eu-west-1:123456789012:stream/ocsf,WebhookSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:hook-AbCdEf,EfoConsumerName=layerwatch,RulesS3Key=rules/layerwatch-rules.yaml,InitialPosition=AT_TIMESTAMP,InitialTimestamp=2024-05-01T00:00:00Z,AlertEmail=secops@example.com,EnableSecurityHubAction=false
layerwatch-central.yaml	set	FeedShape=cloudwatch-logs,OcsfTarget=firehose,OcsfFirehoseName=layerwatch-ocsf,OrganizationId=o-a1b2c3d4e5
layerwatch-central.yaml	set	EnableRemediation=true,JarObjectVersion=3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
layerwatch-member.yaml	set	EnableRemediation=true,PrimaryRegion=eu-west-1
layerwatch-image-assessment.yaml	set	SecretReaderRoleArn=arn:aws:iam::123456789012:role/layerwatch-application-eu-west-1,SecretKmsKeyArn=arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab
layerwatch-trail-subscription.yaml	base	DestinationArn=arn:aws:logs:eu-west-1:123456789012:destination:layerwatch-ecr-trail
EOF
}

lint() { # template [parameters]
  local out
  if [ -n "${2:-}" ]; then
    out="$(node "$dir/node_modules/cfn-lint/lib/index.js" validate "$1" --parameters "$2" 2>&1)" || { echo "$out"; return 1; }
  else
    out="$(node "$dir/node_modules/cfn-lint/lib/index.js" validate "$1" 2>&1)" || { echo "$out"; return 1; }
  fi
  # cfn-lint prints counts and then "Template valid!"; keep the warnings visible.
  printf '%s\n' "$out" | sed -n '/warn$/,/crit$/p' | grep -v '^0 warn$' | grep -v 'crit$' || true
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
echo "cfn-lint $lint_version (spec @aws-cdk/cfnspec $spec_version): $((checked - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
