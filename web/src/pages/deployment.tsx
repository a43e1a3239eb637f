import { Page } from '../components/page';

/** Being built: see issue 11. */
export default function DeploymentPage() {
  return (
    <Page title="Deployment">
      <p>This page is not built yet.</p>
    </Page>
  );
}
