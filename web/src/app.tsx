import { lazy, Suspense } from 'react';
import { Route, Switch, useLocation } from 'wouter';
import { CALLBACK_PATH } from './api/auth-config';
import { ErrorBoundary } from './components/error-boundary';
import { Layout } from './components/layout';
import { Loading } from './components/state';
import { Home } from './pages/home';
import { NotFound } from './pages/not-found';

// Every page but the home page loads on first visit: the first load stays small, the graph code
// (React Flow, ELK) is fetched only by the pages that draw one.
const LineagePage = lazy(() => import('./pages/lineage'));
const DatasetPage = lazy(() => import('./pages/dataset'));
const JobPage = lazy(() => import('./pages/job'));
const RunPage = lazy(() => import('./pages/run'));
const ModelsPage = lazy(() => import('./pages/models'));
const ModelPage = lazy(() => import('./pages/model'));
const ModelVersionPage = lazy(() => import('./pages/model-version'));
const ModelDiffPage = lazy(() => import('./pages/model-diff'));
const DeploymentsPage = lazy(() => import('./pages/deployments'));
const DeploymentPage = lazy(() => import('./pages/deployment'));
const ProducersPage = lazy(() => import('./pages/producers'));
const ProducerReportPage = lazy(() => import('./pages/producer-report'));
const AuthCallbackPage = lazy(() => import('./pages/auth-callback'));

export function App() {
  const [location] = useLocation();
  return (
    <Layout>
      <ErrorBoundary resetKey={location}>
        <Suspense fallback={<Loading what="the page" />}>
          <Switch>
            <Route path="/" component={Home} />
            <Route path="/lineage" component={LineagePage} />
            <Route path="/datasets/:namespace/:name" component={DatasetPage} />
            <Route path="/jobs/:namespace/:name" component={JobPage} />
            <Route path="/runs/:id" component={RunPage} />
            <Route path="/models" component={ModelsPage} />
            <Route path="/models/:name" component={ModelPage} />
            <Route path="/models/:name/versions/:version" component={ModelVersionPage} />
            <Route path="/models/:name/diff" component={ModelDiffPage} />
            <Route path="/deployments" component={DeploymentsPage} />
            <Route path="/deployments/:environment/:endpoint" component={DeploymentPage} />
            <Route path="/producers" component={ProducersPage} />
            <Route path="/producers/report" component={ProducerReportPage} />
            <Route path={CALLBACK_PATH} component={AuthCallbackPage} />
            <Route component={NotFound} />
          </Switch>
        </Suspense>
      </ErrorBoundary>
    </Layout>
  );
}
