/**
 * The samples the Deploy Sample wizard offers, as the control plane deploys
 * them (src/config/samples/): what each step of the wizard shows.
 */

export interface SampleComponent {
  name: string;
  image: string;
  port: number;
  text: string;
}

export interface SampleInfo {
  /** The sample's name in POST /api/v1/projects/:project/samples/:name. */
  name: string;
  version: string;
  description: string;
  components: SampleComponent[];
  /** The service the gateway's host leads to, and how a client reaches it. */
  entry: { service: string; reach: string; label: string; value: string };
}

const bookinfo = (name: string, text: string): SampleComponent => ({
  name,
  image: `kubesphere/examples-bookinfo-${name}-v1:1.13.0`,
  port: 9080,
  text,
});

export const SAMPLES: SampleInfo[] = [
  {
    name: 'bookinfo',
    version: 'v1',
    description: "Bookinfo, Istio's sample: four microservices that together show a book page.",
    components: [
      bookinfo('productpage', 'The book page: calls details and reviews to fill it.'),
      bookinfo('details', 'Book information.'),
      bookinfo('reviews', 'Book reviews; calls ratings. Version v1 shows no stars.'),
      bookinfo('ratings', 'Book rankings shown beside a review.'),
    ],
    entry: { service: 'productpage', reach: 'The gateway routes requests for this hostname to productpage:', label: 'Path', value: '/productpage' },
  },
  {
    name: 'grpc-greeter',
    version: 'v1',
    description: "gRPC's helloworld Greeter: SayHello answers with the version that served it, over HTTP/2.",
    components: [
      {
        name: 'greeter',
        image: 'graymesh/grpc-greeter:v1',
        port: 50051,
        text: 'helloworld.Greeter on port grpc (appProtocol grpc): the mesh reaches it over HTTP/2. Release v2 with graymesh/grpc-greeter:v2.',
      },
    ],
    entry: {
      service: 'greeter',
      reach: 'The gateway routes gRPC calls (cleartext HTTP/2) with this :authority to greeter:',
      label: 'Method',
      value: '/helloworld.Greeter/SayHello',
    },
  },
  {
    name: 'tcp-echo',
    version: 'v1',
    description: "Istio's tcp-echo: a TCP server answering each line with its version's prefix (v1 one, v2 two), for TCP traffic shifting.",
    components: [
      {
        name: 'tcp-echo',
        image: 'docker.io/istio/tcp-echo-server:1.3',
        port: 9000,
        text: 'Port 9000 named tcp: the mesh carries it as a byte stream. VirtualService tcp routes shift connections between v1 and v2.',
      },
    ],
    entry: {
      service: 'tcp-echo',
      reach: 'A Gateway with a TCP server (Istio uses port 31400) and a VirtualService tcp route bound to it carry connections to tcp-echo:',
      label: 'Gateway port',
      value: '31400',
    },
  },
];
