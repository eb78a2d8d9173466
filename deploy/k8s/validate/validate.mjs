// Validates Kubernetes objects against the API schemas of the npm package
// kubernetes-models, and checks the hardening every clearmatch pod must
// have (docs/OPERATIONS.md, "Kubernetes").
//
//   kubectl kustomize deploy/k8s/base > base.yaml
//   node validate.mjs base.yaml [more.yaml...]
//
// Exit 0 when every object of every file is valid; 1 with one line per
// problem otherwise (an unknown apiVersion/kind is a problem too).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

// "apps/v1" -> "kubernetes-models/apps/v1"; "v1" -> "kubernetes-models/v1".
async function modelClass(apiVersion, kind) {
  let module;
  try {
    module = await import(`kubernetes-models/${apiVersion}`);
  } catch {
    return null;
  }
  return module[kind] ?? null;
}

function podSpecOf(object) {
  switch (object.kind) {
    case "Deployment":
    case "StatefulSet":
    case "DaemonSet":
    case "Job":
      return object.spec?.template?.spec;
    case "CronJob":
      return object.spec?.jobTemplate?.spec?.template?.spec;
    default:
      return null;
  }
}

// What the issue asks of every pod: non-root, read-only root, the runtime's
// default seccomp profile, every capability dropped, no privilege
// escalation.
function hardeningProblems(object) {
  const spec = podSpecOf(object);
  if (!spec) return [];
  const problems = [];
  const pod = spec.securityContext ?? {};
  if (pod.runAsNonRoot !== true) problems.push("pod runAsNonRoot is not true");
  if (pod.seccompProfile?.type !== "RuntimeDefault") {
    problems.push("pod seccompProfile is not RuntimeDefault");
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    const sc = c.securityContext ?? {};
    const name = `container ${c.name}`;
    if (sc.readOnlyRootFilesystem !== true) {
      problems.push(`${name}: readOnlyRootFilesystem is not true`);
    }
    if (sc.allowPrivilegeEscalation !== false) {
      problems.push(`${name}: allowPrivilegeEscalation is not false`);
    }
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
      problems.push(`${name}: capabilities.drop lacks ALL`);
    }
    if (!c.resources?.requests?.memory || !c.resources?.limits?.memory) {
      problems.push(`${name}: no memory request and limit`);
    }
  }
  return problems;
}

async function validateFile(file) {
  const problems = [];
  let count = 0;
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length > 0) {
      problems.push(`${file}: YAML: ${doc.errors[0].message}`);
      continue;
    }
    const object = doc.toJS();
    if (object === null) continue;
    ++count;
    const where = `${file}: ${object.kind} ${object.metadata?.name}`;
    const Model = await modelClass(object.apiVersion, object.kind);
    if (!Model) {
      problems.push(`${where}: unknown ${object.apiVersion} ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${where}: ${error.message}`);
    }
    for (const p of hardeningProblems(object)) problems.push(`${where}: ${p}`);
  }
  if (count === 0) problems.push(`${file}: no objects`);
  return { problems, count };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node validate.mjs FILE.yaml...");
  process.exit(2);
}
let failed = false;
for (const file of files) {
  const { problems, count } = await validateFile(file);
  for (const p of problems) console.error(p);
  failed ||= problems.length > 0;
  console.log(`${file}: ${count} objects, ${problems.length} problems`);
}
process.exit(failed ? 1 : 0);
