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
];
