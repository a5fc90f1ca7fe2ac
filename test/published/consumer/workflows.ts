import { proxyActivities } from 'aion/workflow';

const { greet } = proxyActivities<{ greet(name: string): Promise<string> }>({
  startToCloseTimeout: '10s',
});

export async function hello(name: string): Promise<string> {
  return await greet(name);
}
