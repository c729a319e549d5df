/**
 * Kubernetes scenarios: N services in one chart, synthesized with `app.synthYaml()`, once with the
 * library's constructs and once as raw cdk8s `ApiObject`s holding the very objects the library
 * synthesizes for one service (names filled in per service).
 */
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PLACEHOLDER, Scenario, serviceName, substituter, SynthOutput } from './scenario';
import {
  BlueGreenEngine, BlueGreenService, CanaryRollout, Gate, Interval, RolloutEngine, RolloutPlan, Slot, Step, Threshold,
  TrafficRouter,
} from '../src';

const NAMESPACE = 'bench';
const GROUP = 'Kubernetes (cdk8s)';
const RAW = 'cdk8s `ApiObject`s';

/** A container as a team would declare it: tagged image, port, readiness and liveness probes. */
function container(name: string, version: string): kplus.ContainerProps {
  return {
    image: `registry.example.com/${name}:${version}`,
    portNumber: 8080,
    readiness: kplus.Probe.fromHttpGet('/healthz'),
    liveness: kplus.Probe.fromHttpGet('/livez'),
  };
}

/** A Prometheus success-rate gate on the canary's pods. */
function successRate(name: string): Gate {
  return Gate.prometheus({
    name: 'success-rate',
    address: 'http://prometheus.monitoring:9090',
    query: `sum(rate(http_requests_total{namespace="{{namespace}}",app="${name}",pod=~"{{canaryPods}}",code!~"5.."}[2m]))`
      + ` / sum(rate(http_requests_total{namespace="{{namespace}}",app="${name}",pod=~"{{canaryPods}}"}[2m]))`,
    threshold: Threshold.atLeast(0.99),
    interval: Interval.minutes(1),
    failureLimit: 2,
  });
}

/** Defines one service named `name` in `chart`. */
type ServiceFactory = (chart: Construct, name: string) => void;

const canary: ServiceFactory = (chart, name) => {
  new CanaryRollout(chart, name, {
    containers: [container(name, '2.4.0')],
    replicas: 4,
    port: 80,
    plan: RolloutPlan.steps([
      Step.setWeight(10), Step.bake(Interval.minutes(5)), Step.analysis(successRate(name)),
      Step.setWeight(50), Step.bake(Interval.minutes(5)),
    ]),
    engine: RolloutEngine.argoRollouts(),
    trafficRouter: TrafficRouter.gatewayApi({ gateway: 'public' }),
  });
};

const blueGreenArgo: ServiceFactory = (chart, name) => {
  new BlueGreenService(chart, name, {
    containers: [container(name, '2.4.0')],
    replicas: 4,
    port: 80,
    engine: BlueGreenEngine.argoRollouts(),
  });
};

const blueGreenNative: ServiceFactory = (chart, name) => {
  new BlueGreenService(chart, name, {
    containers: [container(name, '2.4.0')],
    replicas: 4,
    port: 80,
    engine: BlueGreenEngine.native({ live: Slot.BLUE, green: { containers: [container(name, '2.5.0')] } }),
  });
};

function newChart(): { app: App; chart: Chart } {
  const app = new App();
  return { app, chart: new Chart(app, 'bench', { namespace: NAMESPACE }) };
}

function yamlOutput(yaml: string, objects: () => number): SynthOutput {
  return { objects, text: () => yaml };
}

/** A scenario whose library side calls `factory` once per service. */
function cdk8sScenario(name: string, title: string, factory: ServiceFactory): Scenario {
  return {
    name,
    title,
    group: GROUP,
    rawTitle: RAW,
    library: (n) => {
      const { app, chart } = newChart();
      for (let i = 0; i < n; i++) factory(chart, serviceName(i));
      const yaml = app.synthYaml();
      return yamlOutput(yaml, () => countObjects(chart));
    },
    prepareRaw: () => {
      // One service synthesized by the library: the objects every raw service is made of.
      const { chart } = newChart();
      factory(chart, PLACEHOLDER);
      const template: any[] = Testing.synth(chart);
      const objectsOf = substituter(template, PLACEHOLDER) as (svc: string) => any[];
      return (n) => {
        const { app, chart: rawChart } = newChart();
        for (let i = 0; i < n; i++) {
          const svc = serviceName(i);
          objectsOf(svc).forEach((json, j) => new ApiObject(rawChart, `${svc}-${j}`, json));
        }
        const yaml = app.synthYaml();
        return yamlOutput(yaml, () => n * template.length);
      };
    },
  };
}

function countObjects(chart: Chart): number {
  return chart.node.findAll().filter((c) => c instanceof ApiObject).length;
}

/** The Kubernetes scenarios. */
export const scenarios: Scenario[] = [
  cdk8sScenario('canary-argo-gateway', 'CanaryRollout: Argo Rollouts, Gateway API, one Prometheus gate', canary),
  cdk8sScenario('blue-green-argo', 'BlueGreenService: BlueGreenEngine.argoRollouts()', blueGreenArgo),
  cdk8sScenario('blue-green-native', 'BlueGreenService: BlueGreenEngine.native() (two Deployments)', blueGreenNative),
];
