"""Every construct of the library, built and synthesized from Python through the jsii package.

Run by scripts/test-python.sh (npx projen test:python), which builds the package with jsii-pacmak and
installs it, with the peer packages at the versions the JavaScript package is tested with, into a venv.
"""
import json
import os
import pathlib
import re
import tempfile

# The jsii kernel, a Node.js process, starts with the first import of a jsii package below and keeps
# this environment: cdk8s apps created without an outdir (as in the guide) write here.
OUTDIR = tempfile.mkdtemp(prefix="release-strategies-python-")
os.environ["CDK8S_OUTDIR"] = OUTDIR

import aws_cdk as cdk
import cdk8s
import cdk8s_plus_28 as kplus
import pytest
from aws_cdk import assertions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from release_constructs.release_strategies import (
    Backfill,
    BlueGreenEngine,
    BlueGreenService,
    CanaryRollout,
    DatabaseConnection,
    EcsBlueGreenService,
    EcsCanaryRollout,
    EcsExpandContractTask,
    EgressTarget,
    ExpandContractJob,
    Gate,
    Interval,
    JobOrdering,
    LambdaCanaryRollout,
    MigrationPhases,
    MigrationRunner,
    MirrorRouter,
    Phase,
    Removal,
    RolloutEngine,
    RolloutPlan,
    ShadowMirror,
    SideEffects,
    Slot,
    SqlParser,
    Step,
    Threshold,
    TrafficRouter,
)

ROOT = pathlib.Path(__file__).resolve().parents[2]

RENAME = dict(
    expand=["ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text"],
    backfills=[Backfill.batched(table="users", set="display_name = full_name", pending="display_name IS NULL", batch_size=1000)],
    migrate=["ALTER TABLE users ADD CONSTRAINT users_display_name_not_null CHECK (display_name IS NOT NULL) NOT VALID",
             "ALTER TABLE users VALIDATE CONSTRAINT users_display_name_not_null"],
    contract=["ALTER TABLE users DROP COLUMN IF EXISTS full_name"],
    removes=[Removal.column("users", "full_name")],
)


def containers(image="registry.example.com/checkout:2.4.0"):
    return [kplus.ContainerProps(image=image, port_number=8080, readiness=kplus.Probe.from_http_get("/healthz"))]


def synth(build):
    chart = cdk8s.Chart(cdk8s.Testing.app(), "test")
    build(chart)
    return cdk8s.Testing.synth(chart)


def only(objects, kind):
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, [o["kind"] for o in objects]
    return found[0]


def aws_stack():
    return cdk.Stack(cdk.App(), "Shop", env=cdk.Environment(account="111111111111", region="eu-west-1"))


def fargate_behind_alb(stack):
    vpc = ec2.Vpc(stack, "Vpc", max_azs=2, nat_gateways=1)
    cluster = ecs.Cluster(stack, "Cluster", vpc=vpc)
    task = ecs.FargateTaskDefinition(stack, "Task", cpu=256, memory_limit_mib=512)
    task.add_container("web", image=ecs.ContainerImage.from_registry("registry.example.com/checkout:1.0.0"),
                       port_mappings=[ecs.PortMapping(container_port=8080)])
    service = ecs.FargateService(stack, "Service", cluster=cluster, task_definition=task, desired_count=2,
                                 min_healthy_percent=100)
    alb = elbv2.ApplicationLoadBalancer(stack, "Alb", vpc=vpc, internet_facing=True)
    listener = alb.add_listener("Http", port=80, default_action=elbv2.ListenerAction.fixed_response(404))
    return cluster, service, listener


def ecs_service(template):
    services = template.find_resources("AWS::ECS::Service")
    assert len(services) == 1
    return next(iter(services.values()))["Properties"]


# Kubernetes


def test_blue_green_service_switches_the_active_service_to_the_live_slot():
    objects = synth(lambda chart: BlueGreenService(
        chart, "web", containers=containers(), port=80,
        engine=BlueGreenEngine.native(live=Slot.GREEN)))
    assert len([o for o in objects if o["kind"] == "Deployment"]) == 2
    active = [o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "web"]
    assert len(active) == 1
    assert active[0]["spec"]["selector"]["release-strategies.dev/slot"] == "green"


def test_canary_rollout_renders_the_plan_as_argo_rollouts_steps_behind_a_gateway_api_route():
    gate = Gate.prometheus(
        name="success-rate", address="http://prometheus.monitoring:9090",
        query='sum(rate(http_requests_total{pod=~"{{canaryPods}}",code!~"5.."}[1m]))',
        threshold=Threshold.at_least(0.99), interval=Interval.minutes(1), failure_limit=2)
    plan = RolloutPlan.steps([Step.set_weight(10), Step.bake(Interval.minutes(5)), Step.set_weight(50)],
                             background_gates=[gate])
    objects = synth(lambda chart: CanaryRollout(
        chart, "checkout", containers=containers(), port=80, plan=plan,
        engine=RolloutEngine.argo_rollouts(), traffic_router=TrafficRouter.gateway_api(gateway="public")))
    rollout = only(objects, "Rollout")
    assert rollout["spec"]["strategy"]["canary"]["steps"] == [
        {"setWeight": 10}, {"pause": {"duration": "5m"}}, {"setWeight": 50}]
    assert "argoproj-labs/gatewayAPI" in rollout["spec"]["strategy"]["canary"]["trafficRouting"]["plugins"]
    metric = only(objects, "AnalysisTemplate")["spec"]["metrics"][0]
    assert metric["successCondition"] == "len(result) > 0 && all(result, {!isNaN(#) && # >= 0.99})"
    assert metric["failureLimit"] == 2


def test_canary_rollout_fails_on_a_plan_the_engine_cannot_express_with_the_message_from_typescript():
    with pytest.raises(RuntimeError) as error:
        synth(lambda chart: CanaryRollout(
            chart, "checkout", containers=containers(), port=80,
            plan=RolloutPlan.steps([Step.set_weight(10), Step.pause()]),
            engine=RolloutEngine.flagger(), traffic_router=TrafficRouter.istio()))
    assert str(error.value) == (
        "test/checkout: invalid 'plan.steps[1]': Flagger cannot pause between a traffic step and its bake; "
        "nearest plan: move the pause before the next Step.setWeight(), got 'pause()'")


def test_shadow_mirror_copies_the_percentage_to_the_shadow_behind_an_egress_deny_policy():
    objects = synth(lambda chart: ShadowMirror(
        chart, "search-v2", service="search", port=80, containers=containers("registry.example.com/search:2.0.0"),
        percent=35, router=MirrorRouter.istio(host="search"), side_effects=SideEffects.isolated(allow_egress_to=[EgressTarget.namespace("search-sandbox", ports=[5432])])))
    route = only(objects, "VirtualService")["spec"]["http"][0]
    assert route["mirror"] == {"host": "search-v2", "port": {"number": 80}}
    assert route["mirrorPercentage"] == {"value": 35}
    policy = only(objects, "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Egress"]
    assert {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "search-sandbox"}}} in [
        to for rule in policy["egress"] for to in rule.get("to", [])]


def test_sql_phases_parse_without_awaiting_anything():
    # Nothing loads the parser before this: phases load it synchronously when they are first parsed.
    phases = MigrationPhases.sql(**RENAME)
    assert SqlParser.is_loaded()
    assert phases.statements_of(Phase.CONTRACT) == ["ALTER TABLE users DROP COLUMN IF EXISTS full_name"]
    SqlParser.load_sync()  # safe to call again


def test_sql_phases_fail_on_invalid_sql_naming_the_line():
    with pytest.raises(RuntimeError) as error:
        MigrationPhases.sql(expand=["ALTER TABLE users ADD COLUMN display_name text;\nALTER TABLE users ADDD x"])
    assert str(error.value) == (
        "Error: MigrationPhases.sql(): invalid 'expand[0]': must be valid PostgreSQL "
        "(syntax error at or near \"ADDD\" on line 2), got 'ALTER TABLE users ADD COLUMN display_name text;\nALTER TABLE users ADDD x'")


def test_expand_contract_job_runs_the_current_phase_with_psql():
    objects = synth(lambda chart: ExpandContractJob(
        chart, "rename-full-name", database=DatabaseConnection.from_secret(secret_name="orders-db-app"),
        runner=MigrationRunner.psql(image="postgres:17.6-alpine"), phases=MigrationPhases.sql(**RENAME),
        current=Phase.EXPAND, ordering=JobOrdering.argo_cd()))
    job = only(objects, "Job")
    command = json.dumps(job["spec"]["template"]["spec"]["containers"][0])
    assert "psql" in command
    assert "ALTER TABLE users ADD COLUMN IF NOT EXISTS display_name text" in json.dumps(objects)
    assert "DROP COLUMN" not in json.dumps(objects)


def test_expand_contract_job_fails_on_a_destructive_statement_in_expand():
    with pytest.raises(RuntimeError) as error:
        synth(lambda chart: ExpandContractJob(
            chart, "rename-full-name", database=DatabaseConnection.from_secret(secret_name="orders-db-app"),
            runner=MigrationRunner.psql(image="postgres:17.6-alpine"),
            phases=MigrationPhases.sql(expand=["ALTER TABLE users DROP COLUMN full_name"]),
            current=Phase.EXPAND, ordering=JobOrdering.argo_cd()))
    assert str(error.value) == (
        "test/rename-full-name: invalid 'phases.expand[0]': expand must not drop column full_name of users: "
        "the running version still uses it (rule drop-column); drop it in contract, once no running version "
        "reads it, declaring Removal.column('users', 'full_name'), got 'ALTER TABLE users DROP COLUMN full_name'")


# AWS


def test_ecs_blue_green_service_sets_the_ecs_blue_green_strategy():
    stack = aws_stack()
    _, service, listener = fargate_behind_alb(stack)
    EcsBlueGreenService(stack, "Web", service=service, listener=listener, plan=RolloutPlan.all_at_once(),
                        keep_previous=cdk.Duration.minutes(30))
    config = ecs_service(assertions.Template.from_stack(stack))["DeploymentConfiguration"]
    assert config["Strategy"] == "BLUE_GREEN"
    assert config["BakeTimeInMinutes"] == 30


def test_ecs_canary_rollout_sets_the_canary_percentage_and_bake():
    stack = aws_stack()
    _, service, listener = fargate_behind_alb(stack)
    EcsCanaryRollout(stack, "Api", service=service, listener=listener,
                     plan=RolloutPlan.canary(percent=10, bake=Interval.minutes(5)))
    config = ecs_service(assertions.Template.from_stack(stack))["DeploymentConfiguration"]
    assert config["Strategy"] == "CANARY"
    assert config["CanaryConfiguration"] == {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 5}


def test_lambda_canary_rollout_uses_the_predefined_codedeploy_linear_configuration():
    stack = aws_stack()
    fn = lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.NODEJS_22_X, handler="index.handler",
                          code=lambda_.Code.from_inline("exports.handler = async () => 42;"))
    alias = lambda_.Alias(stack, "Live", alias_name="live", version=fn.current_version)
    LambdaCanaryRollout(stack, "Release", alias=alias, plan=RolloutPlan.linear(step=10, every=Interval.minutes(1)))
    template = assertions.Template.from_stack(stack)
    template.resource_count_is("AWS::CodeDeploy::DeploymentGroup", 1)
    # 10% every minute is one of CodeDeploy's predefined configurations: no custom one is created.
    template.resource_count_is("AWS::CodeDeploy::DeploymentConfig", 0)
    template.has_resource_properties("AWS::CodeDeploy::DeploymentGroup", {
        "DeploymentConfigName": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
    })


def test_ecs_expand_contract_task_runs_the_phase_in_a_fargate_task():
    stack = aws_stack()
    cluster, _, _ = fargate_behind_alb(stack)
    secret = secretsmanager.Secret.from_secret_complete_arn(
        stack, "Db", "arn:aws:secretsmanager:eu-west-1:111111111111:secret:orders-db-AbCdEf")
    EcsExpandContractTask(stack, "Expand", cluster=cluster, database_secret=secret,
                          image=ecs.ContainerImage.from_registry("postgres:17.6-alpine"),
                          phases=MigrationPhases.sql(**RENAME))
    text = json.dumps(assertions.Template.from_stack(stack).to_json())
    assert "ADD COLUMN IF NOT EXISTS display_name text" in text
    assert "DROP COLUMN" not in text


# The guide


def test_the_python_example_of_the_getting_started_guide_synthesizes():
    guide = (ROOT / "docs" / "getting-started.md").read_text()
    code = re.search(r"^```python\n(.*?)^```", guide, re.S | re.M).group(1)
    exec(compile(code, "docs/getting-started.md", "exec"), {})
    assert "kind: Rollout\n" in pathlib.Path(OUTDIR, "shop.k8s.yaml").read_text()
